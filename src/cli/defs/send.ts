import { Command, Option } from 'commander';
import { addDeliveryOptions, addJson, addSchemeOptions, addSecretOptions, collect, examples } from '../shared-options.js';
import { SCHEME_RULE, SECRET_NOTE } from '../scheme-rule.js';
import { SCHEME_NAMES } from '../../schemes/names.js';

export function sendCommand(): Command {
  const command = new Command('send')
    .description('send a signed webhook the way the provider does, with retries')
    .argument('<url>', 'where to send it')
    .argument('[fixture]', 'a fixture file, capture journal or folder of them to send instead of a sample event, or a Redis queue (redis://host:port) whose stream to send')
    .addOption(new Option('--scheme <name>', 'signature scheme; auto: the one a fixture was captured with, else standard').choices(['auto', ...SCHEME_NAMES]).default('auto'))
    .option('--data <text>', 'the body, byte for byte (JSON for stripe, standard, svix, github, slack and shopify)')
    .option('--file <path>', 'read the body from a file, or - for stdin')
    .option('--event <type>', 'event type; without --data/--file, a sample event of this type is sent (list them: hookctl samples)')
    .option('--id <id>', 'event id (default: a fresh one; kept across retries); stripe and slack carry it inside the body, so a --data/--file body must already hold it')
    .addOption(new Option('-H, --header <"Name: value">', 'add or override a header; repeat for each').argParser(collect))
    .option('--count <n>', 'load mode: send N distinct events, each with a fresh id (swapped into the body where the scheme keeps it there), and report throughput and latency')
    .option('--concurrency <n>', 'load mode (with --count): requests in flight at once', '10')
    .option('--rate <per-second>', 'load mode: cap on events started per second')
    .option('--stream <name>', 'with a redis:// fixture: the stream to read (default hookctl:deliveries, or ?stream= in the URL)')
    .addOption(new Option('--redis-password-file <path>', "with a redis:// fixture: read Redis's password from a file instead of the URL (keeps it out of ps)"));
  addDeliveryOptions(command);
  addSecretOptions(command, 'secret to sign with');
  addSchemeOptions(command);
  addJson(command);
  return command.addHelpText(
    'after',
    examples([
      'hookctl send http://127.0.0.1:3000/webhooks --scheme github --event push --secret-file .github-secret',
      'export HOOKCTL_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw   # the secret for the examples below',
      'hookctl send http://127.0.0.1:8787/ --scheme stripe --event payment_intent.succeeded',
      'hookctl send http://127.0.0.1:8787/ --data \'{"type":"ping"}\' --retry-schedule 0,1s,5s',
      'hookctl send http://127.0.0.1:8787/ --retry-schedule standard --time-scale 0.001',
      'hookctl send http://127.0.0.1:8787/ fixtures/captured/',
      'hookctl send http://127.0.0.1:8787/ --count 10000 --concurrency 50 --json | tail -1',
      'hookctl send http://127.0.0.1:8787/ --scheme zoom --event endpoint.url_validation   # a provider URL challenge, as Zoom sends it',
      'hookctl send http://127.0.0.1:8787/ --scheme sns --private-key sns-test-key.pem   # signed with a local test certificate\'s key',
    ]) + SCHEME_RULE + SECRET_NOTE,
  );
}
