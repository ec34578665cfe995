import { Command, type Option } from 'commander';
import { benchCommand } from './defs/bench.js';
import { completionCommand } from './defs/completion.js';
import { initCommand } from './defs/init.js';
import { inspectCommand } from './defs/inspect.js';
import { listenCommand } from './defs/listen.js';
import { queueCommand } from './defs/queue.js';
import { RELAY_COMMAND_PATHS, relayCommand } from './defs/relay.js';
import { replayCommand } from './defs/replay.js';
import { samplesCommand } from './defs/samples.js';
import { sendCommand } from './defs/send.js';
import { signCommand } from './defs/sign.js';
import { verifyCommand } from './defs/verify.js';
import { workerCommand } from './defs/worker.js';
import { examples } from './shared-options.js';
import { choicesMessage, suggestChoices } from './suggest.js';

/**
 * Options that read their environment variable themselves (HOOKCTL_SECRET), or that are one-off
 * actions and inputs rather than settings: a stray HOOKCTL_DRY_RUN or HOOKCTL_DATA in a shell
 * would silently change what a command does.
 */
const NO_ENV = new Set([
  'secret', 'secretFile', 'header', 'help', 'version',
  'data', 'file', 'fixture', 'id', 'timestamp', 'now', 'curl',
  'dryRun', 'extract', 'out', 'pick', 'last', 'force', 'yes', 'count', 'name',
]);

function envName(option: Option): string {
  return `HOOKCTL_${option.attributeName().replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/**
 * Every option can also come from HOOKCTL_<NAME> (e.g. HOOKCTL_PORT, HOOKCTL_FORWARD_TO). Commander
 * wires environment variables only for options that had one when they were added, so the listener
 * it would have registered is registered here, with the same precedence: it overrides defaults and
 * config values, and the command line overrides it.
 */
function addEnvironment(command: Command): void {
  for (const option of command.options) {
    if (option.negate || NO_ENV.has(option.attributeName()) || option.envVar) continue;
    const variable = envName(option);
    option.env(variable);
    command.on(`optionEnv:${option.name()}`, () => {
      const raw = process.env[variable] ?? '';
      const key = option.attributeName();
      if (!option.required && !option.optional) {
        command.setOptionValueWithSource(key, !['', '0', 'false', 'no'].includes(raw.toLowerCase()), 'env');
        return;
      }
      if (option.argChoices && !option.argChoices.includes(raw)) {
        command.error(`error: option '${option.flags}' value '${raw}' from ${variable} is invalid. ${choicesMessage(raw, option.argChoices)}`, {
          code: 'commander.invalidArgument',
          exitCode: 2,
        });
      }
      command.setOptionValueWithSource(key, option.parseArg ? option.parseArg(raw, command.getOptionValue(key)) : raw, 'env');
    });
  }
  for (const sub of command.commands) addEnvironment(sub);
}

export type CommandLoader = () => Promise<{ run: (...args: never[]) => Promise<number> }>;

/** Command modules by command path; each is imported only when its command runs. */
export const COMMAND_MODULES: Record<string, CommandLoader> = {
  sign: () => import('../commands/sign.js'),
  verify: () => import('../commands/verify.js'),
  listen: () => import('../commands/listen.js'),
  send: () => import('../commands/send.js'),
  replay: () => import('../commands/replay.js'),
  inspect: () => import('../commands/inspect.js'),
  'bench polling-vs-push': () => import('../commands/bench.js'),
  samples: () => import('../commands/samples.js'),
  init: () => import('../commands/init.js'),
  completion: () => import('../commands/completion.js'),
  worker: () => import('../commands/worker.js'),
  'queue status': () => import('../commands/queue.js'),
  'queue dead': () => import('../commands/queue.js'),
  'queue requeue': () => import('../commands/queue.js'),
  ...Object.fromEntries(RELAY_COMMAND_PATHS.map((path) => [path, () => import('../commands/relay.js')])),
};

export function buildProgram(version: string): Command {
  const program = new Command('hookctl')
    .description('Build and test webhooks offline: verify, send, capture, replay and benchmark.')
    .version(version, '-V, --version', 'print the version')
    .option('--debug', 'show stack traces for unexpected errors (or HOOKCTL_DEBUG=1)')
    .option('--config <file>', 'config file with per-command defaults (default: ./hookctl.config.json or ./.hookctlrc)')
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .addHelpText(
      'after',
      examples([
        'hookctl listen --secret "$SECRET"                          # verify, dedupe and capture deliveries',
        'hookctl send http://127.0.0.1:8787/ --scheme github --event push --secret "$SECRET"',
        'hookctl replay fixtures/captured --to http://127.0.0.1:3000/webhooks --secret "$SECRET"',
        'hookctl bench polling-vs-push --events 50 --rate 50',
      ]),
    );
  for (const command of [listenCommand(), sendCommand(), replayCommand(), samplesCommand(), benchCommand(), signCommand(), verifyCommand(), initCommand(), completionCommand(), workerCommand(), queueCommand(), relayCommand()]) {
    program.addCommand(command);
  }
  program.addCommand(inspectCommand());
  addEnvironment(program);
  suggestChoices(program);
  return program;
}
