import { Command, Option } from 'commander';
import { addJson, examples } from '../shared-options.js';

/** Command paths of `hookctl relay`, for the program's module table. */
export const RELAY_COMMAND_PATHS = [
  'relay serve',
  'relay channel create',
  'relay channel list',
  'relay channel delete',
  'relay channel rotate-token',
  'relay status',
  'relay dead',
  'relay requeue',
] as const;

const ADMIN_TOKEN_HELP = 'file holding the relay\'s admin token (or HOOKCTL_RELAY_ADMIN_TOKEN)';

function withServer(command: Command): Command {
  command
    .requiredOption('--server <url>', 'the relay, e.g. https://relay.example.com/ (its admin API)')
    .option('--admin-token-file <file>', ADMIN_TOKEN_HELP);
  return addJson(command);
}

function serveCommand(): Command {
  const command = new Command('serve')
    .description('run a relay: providers send to its ingress URLs, `hookctl listen --relay` subscribers receive every delivery byte for byte, kept until acknowledged')
    .option('--port <n>', 'port to listen on (0 picks a free one)', '8788')
    .option('--host <host>', 'address to bind (put a TLS proxy in front for the internet)', '127.0.0.1')
    .option('--public-url <url>', 'the address providers and subscribers use (behind a proxy); ingress and subscribe URLs are built from it')
    .option('--store <dir>', 'embedded store: a private folder of append-only logs (one relay process per folder)')
    .option('--redis <url>', 'Redis store: redis://[user:password@]host:port[/db]; any number of relays share it')
    .option('--admin-token-file <file>', `${ADMIN_TOKEN_HELP}; created with a random token (mode 0600) when missing. Default with --store: DIR/admin-token`)
    .option('--retain <duration>', 'drop deliveries older than this, acknowledged or not', '7d')
    .option('--max-body <size>', 'largest ingress body; larger ones get 413', '10mb')
    .option('--backlog <n>', 'deliveries a channel holds that a subscriber has not settled; beyond it providers get 503 + Retry-After', '10000')
    .option('--retry-schedule <list>', 'waits before each attempt of a delivery the subscriber\'s app failed; then a dead letter', '0,5s,30s,5m')
    .option('--ack-timeout <duration>', 'a delivery sent and not acknowledged in this time is sent again', '60s')
    .option('--heartbeat <duration>', 'ping idle subscriber streams this often', '15s')
    .option('--wait-timeout <duration>', 'respond: wait channels: hold a provider this long for the listener\'s answer, then 202', '10s')
    .addOption(new Option('--quiet', 'no line per delivery'));
  addJson(command);
  return command.addHelpText(
    'after',
    examples([
      'hookctl relay serve --store /var/lib/hookctl-relay --public-url https://relay.example.com/',
      'hookctl relay serve --redis redis://127.0.0.1:6379 --admin-token-file /etc/hookctl/admin-token --port 8788',
    ]),
  );
}

function channelCommand(): Command {
  const create = withServer(
    new Command('create')
      .description('make a channel: an ingress URL for providers and a subscribe URL + token for listeners (the token is shown this once)')
      .option('--name <name>', 'channel name (letters, digits, . _ -; default: generated)')
      .addOption(new Option('--respond <mode>', 'stored: answer providers 200 once stored; wait: pass back the listener\'s answer (URL challenges)').choices(['stored', 'wait']).default('stored')),
  );
  const list = withServer(new Command('list').description('the relay\'s channels (without tokens)'));
  const remove = withServer(new Command('delete').description('delete a channel and every delivery it holds').argument('<name>', 'channel name'));
  const rotate = withServer(new Command('rotate-token').description('a new subscribe token for a channel; the old one stops working at once').argument('<name>', 'channel name'));
  return new Command('channel')
    .description('create, list, delete channels of a relay, and rotate their subscribe tokens')
    .addCommand(create)
    .addCommand(list)
    .addCommand(remove)
    .addCommand(rotate)
    .addHelpText(
      'after',
      examples([
        'hookctl relay channel create --server https://relay.example.com/ --admin-token-file ~/.hookctl-relay-admin --name stripe',
        'hookctl relay channel list --server https://relay.example.com/ --json',
      ]),
    );
}

function deliverySubcommand(name: string, description: string): Command {
  return withServer(
    new Command(name)
      .description(description)
      .requiredOption('--channel <name>', 'channel name')
      .option('--consumer <name>', 'only this subscriber or group'),
  );
}

export function relayCommand(): Command {
  const status = deliverySubcommand('status', 'per subscriber: waiting, in flight, retrying, dead letters');
  const dead = deliverySubcommand('dead', 'list dead letters: deliveries the subscriber\'s app failed every attempt of').option('--limit <n>', 'show at most this many (oldest first)', '100');
  const requeue = deliverySubcommand('requeue', 'send dead letters again, with a fresh retry schedule')
    .argument('[seqs...]', 'dead-letter seqs (from `hookctl relay dead`)')
    .option('--all', 'every dead letter');
  return new Command('relay')
    .description('a self-hosted webhook relay: real provider deliveries to `hookctl listen --relay` on your laptop, byte for byte, kept while you are away')
    .addCommand(serveCommand())
    .addCommand(channelCommand())
    .addCommand(status)
    .addCommand(dead)
    .addCommand(requeue);
}
