import { Command, Option } from 'commander';
import { addQueueOptions } from '../queue-options.js';
import { addJson, addSchemeOptions, addSecretOptions, collect, examples } from '../shared-options.js';
import { SCHEME_NAMES } from '../../schemes/names.js';

export function listenCommand(): Command {
  const command = new Command('listen')
    .description('run a local webhook receiver that verifies, dedupes, captures and forwards deliveries')
    .option('-p, --port <n>', 'port to listen on (0 picks a free one)', '8787')
    .option('--host <host>', 'interface to bind (0.0.0.0 makes it reachable from the network)', '127.0.0.1')
    .option('--path <path>', 'only accept deliveries on this path (others get 404)')
    .addOption(new Option('--scheme <name>', 'signature scheme, or auto to detect per request').choices(['auto', ...SCHEME_NAMES]).default('auto'))
    .option('--tolerance <duration>', "allowed timestamp skew (default: the provider's documented tolerance, else 5m)")
    .option('--capture <dir>', 'where captures go (with --queue: off unless given)', 'fixtures/captured')
    .option('--no-capture', 'do not record deliveries')
    .option('--capture-files', 'one fixture file per delivery instead of the journal')
    .option('--durable', 'answer 2xx only once the capture is on disk (fsync, group commit)')
    .option('--id-header <name>', 'header carrying the event id, for custom senders')
    .option('--no-handshakes', "forward provider URL challenges (Slack url_verification, Zoom endpoint.url_validation, Meta hub.challenge…) to your app instead of answering them")
    .addOption(new Option('--keep-header <name>', 'capture and show this credential header (Authorization, Cookie, X-Api-Key… are redacted by default); repeatable').argParser(collect))
    .option('--forward-to <url>', "pass each new delivery on to your app (headers and body byte for byte, plus Idempotency-Key); a URL without a path keeps each delivery's path")
    .option('--forward-secret <secret>', 're-sign forwarded deliveries with this secret (Twilio deliveries are re-signed for the app\'s URL with the listener\'s --secret anyway)')
    .addOption(new Option('--route <filter=url>', "forward deliveries matching event-type globs and/or path:GLOB here, e.g. 'payment_intent.*=http://127.0.0.1:3000/pay'; repeatable, beside or instead of --forward-to (each route has its own retries and dead letters)").argParser(collect))
    .option('--ack-first', 'answer 2xx once the delivery is recorded and forward afterwards, with retries: kept in the capture folder\'s outbox (a restart resumes them; hookctl queue status DIR), or in memory with --no-capture')
    .option('--forward-retry-schedule <list>', 'waits between forward attempts with --ack-first (default 0,5s,30s,5m); after the last one a forward is a dead letter')
    .option('--forward-timeout <duration>', 'per-attempt timeout when forwarding', '10s')
    .option('--queue <redis-url>', 'hand each new delivery to a Redis queue (redis://[user:password@]host:port[/db]): deduplicated across listeners, answered 2xx once Redis has it; hookctl worker forwards')
    .option('--allow-eviction', "with --queue: run on a Redis whose maxmemory-policy evicts keys (acknowledged deliveries and dedupe keys can vanish when it is full)")
    .option('--dedupe-window <duration>', 'how long an accepted event id stays a duplicate, in the capture folder\'s ledger or in Redis (default 7d)')
    .option('--status <code>', 'answer every delivery with this status')
    .option('--fail-first <n>', 'fail the first N deliveries of each event id')
    .option('--fail-rate <p>', 'fail this fraction of deliveries (0..1)')
    .option('--fail-status <code>', 'status used for injected failures', '500')
    .option('--retry-after <duration>', 'send Retry-After with injected failures')
    .option('--reset-rate <p>', 'drop this fraction of connections without an answer (0..1)')
    .option('--delay <duration>', 'wait this long before answering')
    .option('--max-body <size>', 'largest body accepted (413 above)', '1mb')
    .option('--header-timeout <duration>', 'cut off clients that take longer to send the headers (408)', '10s')
    .option('--body-timeout <duration>', 'cut off clients that take longer to send the body (408)', '30s')
    .option('--drain-timeout <duration>', 'on Ctrl-C, how long to wait for requests in flight and queued forwards', '10s')
    .option('-q, --quiet', 'no line per delivery (the summary still shows on stop)')
    .option('--every-line', 'a line per delivery at any rate (by default, past a few hundred a second the terminal shows one summary line a second until it calms down)')
    .option('--only-failures', 'show only deliveries that were refused or failed, and forwards that did not reach the app')
    .option('--filter <glob>', 'show only event types matching this glob, e.g. "payment_intent.*" (the listener still receives everything)')
    .option('--filter-path <glob>', 'show only deliveries to paths matching this glob, e.g. "/stripe*"')
    .option('-v, --verbose', 'show headers and the pretty-printed body of each delivery')
    .option('--relay <subscribe-url>', 'take deliveries from a hookctl relay channel (its subscribe URL) into this listener: verified, deduplicated, captured and forwarded like local ones, acknowledged to the relay once settled')
    .option('--relay-token-file <path>', "read the channel's subscribe token from a file (or HOOKCTL_RELAY_TOKEN); never given on the command line")
    .addOption(new Option('--relay-transport <name>', 'how to read the relay: server-sent events (default), long-polling or polling').choices(['sse', 'long-poll', 'poll']))
    .option('--relay-name <name>', 'this subscriber\'s name at the relay (default: the host name); each name gets every delivery (two listeners under one name take the stream from each other: give the second its own)')
    .option('--relay-group <name>', 'share the channel\'s deliveries with the other subscribers of this group (default: this machine gets every delivery)')
    .option('--ui', 'serve the web inspector for this listener: every delivery live, why it failed, replay and edit (its URL is printed on start)')
    .option('--ui-port <n>', 'port for the inspector page (0 picks a free one)', '8788')
    .option('--ui-host <host>', 'interface for the inspector page (anything but loopback exposes your deliveries)', '127.0.0.1');
  addQueueOptions(command);
  addSecretOptions(command, 'secret to verify with');
  addSchemeOptions(command);
  addJson(command);
  return command.addHelpText(
    'after',
    `
Forwarding: --forward-to URL sends every delivery there; each --route 'FILTERS=URL' sends those it
matches (event-type globs, path:GLOB; a delivery can match several: fan-out). Without --ack-first
the forward happens in line: every matching route at once, and the sender gets the worst answer
(every route 2xx: 2xx; an app down: 502; else the app's status), so its retry reaches them all
again. With --ack-first the sender gets 2xx once the delivery is recorded: with a capture folder
each route's forward is kept in its outbox (.hookctl-outbox) until delivered or dead, and a
restarted listener resumes them; \`hookctl queue status|dead|requeue DIR\` shows and requeues them.
Forwards carry Idempotency-Key: <event id>, the same on every attempt and after a restart (plus
Hookctl-Dedupe-Key, the id bound to its signature, where the provider does not sign the id).
With --queue redis://… the listener forwards nothing itself: each new delivery is added to the
Redis stream (duplicates decided in Redis, across every listener on it) and \`hookctl worker\`
processes forward it; local capture is then off unless --capture DIR is given.
${examples([
      'hookctl listen',
      'hookctl listen --port 0 --scheme stripe --secret "$STRIPE_WEBHOOK_SECRET"',
      'hookctl listen --secret "$SECRET" --forward-to http://127.0.0.1:3000/webhooks --ack-first --durable   # crash-proof: the outbox keeps every forward',
      "hookctl listen --route 'payment_intent.*=http://127.0.0.1:3000/pay' --route 'path:/github/*=http://127.0.0.1:4000/gh' --ack-first",
      'hookctl queue status fixtures/captured   # pending, retrying and dead forwards of the outbox',
      'hookctl listen --queue redis://127.0.0.1:6379 --secret "$SECRET" --port 8787   # many listeners, one Redis; then: hookctl worker redis://127.0.0.1:6379 --forward-to …',
      'hookctl listen --fail-first 2 --fail-status 503 --retry-after 1s   # exercise a sender\'s retries',
      'hookctl listen --scheme discord --public-key discord-public-key.txt   # Discord\'s hex key as the portal shows it; PEM and certificates too',
      'hookctl listen --scheme zoom --secret-file .zoom-secret-token   # also answers Zoom\'s endpoint.url_validation (--no-handshakes passes it on)',
      'hookctl listen --json | jq \'select(.type == "delivery")\'',
      'hookctl listen --ui --secret "$SECRET" --forward-to http://127.0.0.1:3000   # watch, replay and edit deliveries in the browser',
      'hookctl listen --only-failures --filter "invoice.*"   # only failed invoice events on the screen',
      'hookctl listen --scheme twilio --secret "$TWILIO_AUTH_TOKEN" --url https://abc.ngrok.app   # Twilio signs the public URL',
      'hookctl listen --capture-files --durable --capture fixtures/captured   # one fixture per delivery, on disk before 2xx',
      'HOOKCTL_RELAY_TOKEN=… hookctl listen --relay https://relay.example.com/sub/github --secret-file .github-secret --forward-to http://127.0.0.1:3000   # real provider deliveries from your relay',
    ])}`,
  );
}
