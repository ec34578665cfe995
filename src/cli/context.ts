import type { Command, OptionValues } from 'commander';
import type { Output } from './output.js';

/** What a command module gets: its parsed flags (config and env merged in), arguments and output. */
export interface CommandContext {
  command: Command;
  /** Flags after precedence: command line > HOOKCTL_* env > config file > defaults. */
  options: OptionValues;
  /** Positional arguments. */
  args: string[];
  output: Output;
  env: NodeJS.ProcessEnv;
  cwd: string;
  debug: boolean;
}

/** A command module: parses its flags, calls the core, renders, and returns the exit code. */
export interface CommandModule {
  run(context: CommandContext): Promise<number>;
}
