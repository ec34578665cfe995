import type { CommandContext } from '../cli/context.js';
import { EXIT } from '../errors.js';
import { parseBenchFlags } from '../bench/config.js';
import { runBench } from '../bench/runner.js';

export async function run({ options, output }: CommandContext): Promise<number> {
  const config = parseBenchFlags(options);
  const result = await runBench(config, {});
  output.record({ type: 'bench', ...result } as never);
  output.line(JSON.stringify(result.strategies.map(({ cdf, ...s }) => s), null, 1));
  return EXIT.ok;
}
