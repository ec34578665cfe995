import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { CommanderError, type Command } from 'commander';
import { EXIT, isUserError, messageOf, UserError } from '../errors.js';
import { applyConfig, checkSections, loadConfig, yieldConfigSecret, type ConfigFile } from './config.js';
import { Output } from './output.js';
import { buildProgram, COMMAND_MODULES } from './program.js';
import type { CommandContext } from './context.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}


export interface MainOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

/** Runs the CLI and returns the exit code; only bin/hookctl.js turns it into process.exit. */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const stderr = options.stderr ?? process.stderr;
  const stdout = options.stdout ?? process.stdout;
  let exitCode: number = EXIT.ok;
  let debug = Boolean(env.HOOKCTL_DEBUG && env.HOOKCTL_DEBUG !== '0');

  const program = buildProgram(packageVersion());
  for (const command of allCommands(program)) {
    command.exitOverride().configureOutput({
      writeOut: (text) => stdout.write(text),
      writeErr: (text) => stderr.write(text),
      outputError: (text, write) => write(`${text.replace(/^error: /, 'hookctl: ').trimEnd().replace(/\n\(Did you mean/g, ' (did you mean')}\n`),
    });
  }

  // Config values must be in place before the subcommand parses its flags, so the command line and
  // the environment can override them and a config value satisfies a required flag.
  let configPath: string | undefined;
  let appliedConfig: ConfigFile | undefined;
  const configHook = (_parent: Command, sub: Command) => {
    const globals = program.opts();
    debug ||= Boolean(globals.debug);
    const config = loadConfig(cwd, (globals.config as string | undefined) ?? env.HOOKCTL_CONFIG);
    if (config) {
      checkSections(config, allCommands(program).slice(1).map((command) => command.name()));
      applyConfig(sub, config);
      appliedConfig = config;
    }
    configPath = config?.path;
  };
  for (const command of allCommands(program)) if (command.commands.length > 0) command.hook('preSubcommand', configHook);

  for (const [path, load] of Object.entries(COMMAND_MODULES)) {
    const command = findCommand(program, path);
    command.action(async () => {
      const module = (await load()) as { run: (context: CommandContext) => Promise<number> };
      if (appliedConfig) yieldConfigSecret(command, appliedConfig, env);
      const opts = command.opts();
      const context: CommandContext = {
        command,
        options: opts,
        args: command.args,
        output: new Output({ json: Boolean(opts.json), stdout, stderr, env }),
        env,
        cwd,
        debug,
      };
      try {
        exitCode = await module.run(context);
      } catch (error) {
        throw isUserError(error) ? namingWhereFrom(error, command, configPath ? relative(cwd, configPath) || configPath : undefined) : error;
      }
    });
  }

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; everything else is a usage error, already printed.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
      // Help asked for (`hookctl help`) is a success; help shown for a missing command (bare
      // `hookctl`, `hookctl queue`) is a failure, as other CLIs exit for it: exit 1.
      if (error.code === 'commander.help') return error.exitCode === 0 ? EXIT.ok : EXIT.failed;
      return EXIT.usage;
    }
    if (isUserError(error)) {
      stderr.write(`hookctl: ${error.message}\n`);
      return error.exitCode;
    }
    if (debug) stderr.write(`${(error as Error)?.stack ?? messageOf(error)}\n`);
    else stderr.write(`hookctl: unexpected error: ${messageOf(error)} (run with --debug for details)\n`);
    return EXIT.failed;
  }
}

/**
 * A bad value that came from HOOKCTL_PORT or the config file, not the command line, is reported as
 * "--port (from HOOKCTL_PORT): …": the user looking at a command line without --port on it needs
 * to know where to look.
 */
function namingWhereFrom(error: UserError, command: Command, configFile: string | undefined): UserError {
  const flag = /^(--[a-z0-9-]+):/.exec(error.message)?.[1];
  const option = flag ? command.options.find((candidate) => candidate.long === flag) : undefined;
  if (!option) return error;
  const source = command.getOptionValueSource(option.attributeName());
  const from = source === 'env' ? option.envVar : source === 'config' ? configFile : undefined;
  if (!from) return error;
  return new UserError(`${flag} (from ${from})${error.message.slice(flag!.length)}`, error.exitCode);
}

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

function findCommand(program: Command, path: string): Command {
  let command = program;
  for (const name of path.split(' ')) {
    const next = command.commands.find((sub) => sub.name() === name);
    if (!next) throw new Error(`command ${path} is not registered`);
    command = next;
  }
  return command;
}

