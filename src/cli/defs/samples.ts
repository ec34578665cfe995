import { Argument, Command } from 'commander';
import { addJson, examples } from '../shared-options.js';

export function samplesCommand(): Command {
  const command = new Command('samples')
    .description('the catalog of sample events send can send: every provider\'s common events, searchable (send --event TYPE picks one)')
    .addArgument(new Argument('[words...]', 'a scheme (stripe), words to look for in event types and descriptions (invoice failed), or both'))
    .option('--schemes', 'list the schemes instead: provider, family, whether hookctl signs and verifies it');
  addJson(command);
  return command.addHelpText(
    'after',
    examples([
      'hookctl samples',
      'hookctl samples stripe',
      'hookctl samples stripe invoice',
      'hookctl samples pull request opened',
      'hookctl samples --schemes --json',
      'hookctl send http://127.0.0.1:8787/ --scheme stripe --event invoice.payment_failed --secret whsec_test',
    ]) +
      '\nAn --event type without a sample still sends: a minimal, well-formed event of that type.\n' +
      'Where a type has several examples, --event TYPE#2 sends the second.\n',
  );
}
