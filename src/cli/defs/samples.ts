import { Argument, Command } from 'commander';
import { SCHEME_NAMES } from '../../schemes/names.js';
import { addJson, examples } from '../shared-options.js';

export function samplesCommand(): Command {
  const command = new Command('samples')
    .description('list the sample events send can send, per scheme (send --event TYPE picks one)')
    .addArgument(new Argument('[scheme]', 'only this scheme').choices(SCHEME_NAMES));
  addJson(command);
  return command.addHelpText(
    'after',
    examples([
      'hookctl samples',
      'hookctl samples stripe',
      'hookctl send http://127.0.0.1:8787/ --scheme stripe --event invoice.payment_failed --secret whsec_test',
    ]) + '\nAn --event type without a sample still sends: a minimal, well-formed event of that type.\n',
  );
}
