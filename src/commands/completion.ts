import type { CommandContext } from '../cli/context.js';
import { bashCompletion, describe, fishCompletion, zshCompletion } from '../cli/completion.js';
import { EXIT } from '../errors.js';

const GENERATORS = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion };

export async function run({ command, args, output }: CommandContext): Promise<number> {
  const shell = args[0] as keyof typeof GENERATORS;
  const root = command.parent ?? command;
  output.stdout.write(GENERATORS[shell](describe(root)));
  return EXIT.ok;
}
