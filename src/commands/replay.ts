import type { CommandContext } from '../cli/context.js';
import { failure } from '../errors.js';

export async function run(_context: CommandContext): Promise<number> {
  throw failure('replay is not implemented yet');
}
