import { Command, Option } from 'commander';
import { addDeliveryOptions, addJson, addSchemeOptions, addSecretOptions, collect, examples } from '../shared-options.js';
import { SCHEME_NAMES } from '../../schemes/names.js';
import { REPLAY_RETRY_SCHEDULE } from '../../replay/defaults.js';
import { SCHEME_RULE, SECRET_NOTE } from '../scheme-rule.js';

export function replayCommand(): Command {
  const command = new Command('replay')
    .description('replay saved deliveries byte for byte, re-signed, to any URL')
    .argument('[paths...]', 'fixture files, journals or folders (default: fixtures/), or a Redis queue: redis://[user:password@]host:port[/db] reads its stream')
    .option('--to <url>', 'where to send them (asked on a TTY when missing)')
    .option('--keep-path', "append each delivery's captured path and query to --to's path")
    .addOption(new Option('--scheme <name>', 'scheme to re-sign with; auto: the one each fixture was captured with').choices(['auto', ...SCHEME_NAMES]).default('auto'))
    .option('--as-is', 'send the stored headers unchanged (no re-signing)')
    .option('--new-ids', 'give each replay a fresh event id (to get past dedupe)')
    .addOption(new Option('-H, --header <"Name: value">', 'add or override a header on every replay (after signing; any case replaces); repeat for each').argParser(collect))
    .option('--filter <glob>', 'only event types matching this glob, e.g. "payment_intent.*"')
    .option('--since <time>', 'only deliveries captured at or after this time (ISO date, or a duration ago like 1h)')
    .option('--until <time>', 'only deliveries captured at or before this time (ISO date, or a duration ago like 10m)')
    .option('--stream <name>', 'with a redis:// PATH: the stream to read (default hookctl:deliveries, or ?stream= in the URL)')
    .addOption(new Option('--redis-password-file <path>', "with a redis:// PATH: read Redis's password from a file instead of the URL (keeps it out of ps)"))
    .option('--concurrency <n>', 'deliveries in flight at once', '1')
    .option('--delay <duration>', 'wait between sends')
    .option('--pick', 'choose fixtures interactively, with how each verified, its type and capture time (TTY only)')
    .option('--last [n]', 'only the latest capture under PATHs (or the latest N), e.g. the one hookctl listen just took')
    .option('--dry-run', 'list what would be sent, send nothing')
    .option('--extract <id>', 'write one journal record (by capture or event id) as a fixture file')
    .option('--out <file>', 'with --extract: the fixture file to write')
    .option('--force', 'with --extract: replace --out if it already exists');
  addDeliveryOptions(command, REPLAY_RETRY_SCHEDULE);
  addSecretOptions(command, 'secret to re-sign with');
  addSchemeOptions(command);
  addJson(command);
  return command.addHelpText(
    'after',
    examples([
      'hookctl replay --to http://127.0.0.1:3000/webhooks --secret-file .hookctl-secret',
      'export HOOKCTL_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw   # the secret for the examples below',
      'hookctl replay fixtures/stripe --to http://127.0.0.1:3000/webhooks --scheme stripe --filter "invoice.*"',
      'hookctl replay fixtures/captured --to http://127.0.0.1:3000/hooks --as-is --dry-run',
      'hookctl replay fixtures/captured --to http://127.0.0.1:3000/hooks --new-ids --since 1h --concurrency 4',
      'hookctl replay fixtures/captured --last --to http://127.0.0.1:3000/webhooks   # resend what just arrived',
      'hookctl replay redis://127.0.0.1:6379 --since 10m --to http://127.0.0.1:3000/webhooks   # what the queue took in the last 10 minutes',
      'hookctl replay fixtures/captured --extract evt_123 --out fixtures/regressions/evt_123.json',
    ]) + SCHEME_RULE + SECRET_NOTE,
  );
}
