import { Command, Option } from 'commander';
import { addJson, addSchemeOptions, addSecretOptions, examples } from '../shared-options.js';
import { SCHEME_NAMES } from '../../schemes/names.js';

export function inspectCommand(): Command {
  const command = new Command('inspect')
    .description('open the web inspector over saved deliveries: why each verified or failed, replay, edit, diff')
    .argument('[paths...]', 'journals, fixture files or folders (default: fixtures/captured)')
    .option('--ui-port <n>', 'port for the inspector page (0 picks a free one)', '8788')
    .option('--ui-host <host>', 'interface for the inspector page (anything but loopback exposes your deliveries)', '127.0.0.1')
    .option('--to <url>', 'where replays from the page go unless it says otherwise')
    .addOption(new Option('--scheme <name>', 'scheme to verify and re-sign with (default: the one each delivery was captured with)').choices(['auto', ...SCHEME_NAMES]).default('auto'))
    .option('--tolerance <duration>', 'allowed timestamp skew, judged against each capture time', '5m')
    .option('--no-follow', 'do not watch the last journal for new deliveries');
  addSecretOptions(command, 'secret to check signatures and re-sign replays with (never shown on the page)');
  addSchemeOptions(command);
  addJson(command);
  return command.addHelpText(
    'after',
    examples([
      'hookctl inspect                                              # what hookctl listen captured',
      'hookctl inspect fixtures/captured --secret "$SECRET" --to http://127.0.0.1:3000/webhooks',
      'hookctl inspect fixtures/stripe fixtures/regressions/evt_123.json --ui-port 0 --json',
    ]),
  );
}
