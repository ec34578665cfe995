import { Command, Option } from 'commander';
import { addDeliveryOptions, addJson, addSchemeOptions, addSecretOptions, collect, examples } from '../shared-options.js';
import { SCHEME_NAMES } from '../../schemes/registry.js';

export function sendCommand(): Command {
  const command = new Command('send')
    .description('send a signed webhook the way the provider does, with retries')
    .argument('<url>', 'where to send it')
    .argument('[fixture]', 'a fixture file or journal to send instead of --data/--file')
    .addOption(new Option('--scheme <name>', 'signature scheme').choices(SCHEME_NAMES).default('standard'))
    .option('--data <text>', 'the body, as given (byte for byte)')
    .option('--file <path>', 'read the body from a file, or - for stdin')
    .option('--event <type>', 'event type; without --data/--file, a sample event of this type is sent')
    .option('--id <id>', 'event id (default: a fresh one; kept across retries)')
    .addOption(new Option('-H, --header <"Name: value">', 'add or override a header; repeat for each').argParser(collect))
    .option('--count <n>', 'load mode: send N distinct events')
    .option('--concurrency <n>', 'load mode: requests in flight at once', '10')
    .option('--rate <per-second>', 'load mode: cap on events started per second');
  addDeliveryOptions(command);
  addSecretOptions(command, 'secret to sign with');
  addSchemeOptions(command);
  addJson(command);
  return command.addHelpText(
    'after',
    examples([
      'hookctl send http://127.0.0.1:8787/ --scheme stripe --event payment_intent.succeeded --secret whsec_test',
      'hookctl send http://127.0.0.1:3000/webhooks --scheme github --event push --secret "$GITHUB_SECRET"',
      'hookctl send http://127.0.0.1:8787/ --data \'{"type":"ping"}\' --secret "$SECRET" --retry-schedule 0,1s,5s',
      'hookctl send http://127.0.0.1:8787/ --count 10000 --concurrency 50 --secret "$SECRET" --json',
    ]),
  );
}
