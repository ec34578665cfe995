import { Command, Option } from 'commander';
import { addQueueOptions } from '../queue-options.js';
import { addDeliveryOptions, addJson, addSchemeOptions, addSecretOptions, collect, examples } from '../shared-options.js';
import { SCHEME_NAMES } from '../../schemes/names.js';

export function workerCommand(): Command {
  const command = new Command('worker')
    .description('forward deliveries from a Redis queue to your app: a consumer group member with retries and dead letters')
    .argument('<redis-url>', 'the queue: redis://[user:password@]host:port[/db] (rediss:// for TLS)')
    .option('--forward-to <url>', 'forward every delivery here')
    .addOption(new Option('--route <filter=url>', "forward matching deliveries here: event-type globs and/or path:GLOB, e.g. 'payment_intent.*=http://127.0.0.1:3000/pay'; repeatable").argParser(collect))
    .option('--concurrency <n>', 'deliveries in flight at once', '10')
    .option('--claim-idle <duration>', "take over a stopped worker's deliveries once they are idle this long", '30s')
    .option('--consumer <name>', "this worker's name in the group (default: host-pid)")
    .option('--retain <duration>', 'keep delivered entries in the stream this long, for replay (0: trim at once)', '10m')
    .option('--forward-secret <secret>', 're-sign forwards with this secret (fresh timestamp, same event id)')
    .option('--forward-secret-file <path>', 'read the re-signing secret from a file (keeps it out of ps)')
    .addOption(new Option('--scheme <name>', 're-sign deliveries whose scheme is unknown with this one (default: hmac)').choices(['auto', ...SCHEME_NAMES]).default('auto'))
    .option('--drain-timeout <duration>', 'on Ctrl-C, how long to wait for forwards in flight (the rest go back to the queue)', '10s')
    .option('--allow-eviction', "run on a Redis whose maxmemory-policy evicts keys (acknowledged deliveries and dedupe keys can vanish when it is full)")
    .option('-q, --quiet', 'no line per forward (the summary still shows on stop)');
  addSecretOptions(command, "the listener's secret (for Twilio its auth token): a delivery whose provider signs the URL is re-signed for your app's URL with it");
  addQueueOptions(command);
  addDeliveryOptions(command);
  addSchemeOptions(command);
  addJson(command);
  return command.addHelpText(
    'after',
    examples([
      'hookctl worker redis://127.0.0.1:6379 --forward-to http://127.0.0.1:3000/webhooks',
      "hookctl worker redis://127.0.0.1:6379 --route 'payment_intent.*=http://127.0.0.1:3000/pay' --route 'path:/github/*=http://127.0.0.1:4000/gh'",
      'hookctl worker redis://127.0.0.1:6379/1?stream=orders --forward-to http://127.0.0.1:3000/ --concurrency 32 --retry-schedule standard',
      'hookctl worker redis://app@redis.internal:6379 --redis-password-file ~/.redis-pass --forward-to http://127.0.0.1:3000/ --json',
      'HOOKCTL_SECRET="$TWILIO_AUTH_TOKEN" hookctl worker redis://127.0.0.1:6379 --forward-to http://127.0.0.1:4336   # Twilio: re-signed for /sms, /voice…',
    ]),
  );
}
