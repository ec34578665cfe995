import type { CommandContext } from '../cli/context.js';
import { table } from '../cli/output.js';
import { EXIT } from '../errors.js';
import { DEFAULT_SAMPLE_EVENT, sampleTypes } from '../records/samples.js';
import { SCHEME_NAMES } from '../schemes/names.js';
import { defaultEventType } from '../send/minimal-events.js';

/** The sample events per scheme: what `send --event TYPE` sends as a realistic delivery. */
export async function run({ args, output }: CommandContext): Promise<number> {
  const schemes = args[0] ? [args[0]] : [...SCHEME_NAMES];
  const rows: string[][] = [];
  for (const scheme of schemes) {
    const types = await sampleTypes(scheme);
    const fallback = DEFAULT_SAMPLE_EVENT[scheme];
    output.record({ type: 'samples', scheme, events: types, default: types.length > 0 ? (fallback ?? types[0]!) : null, ...(types.length === 0 ? { minimal: defaultEventType(scheme) } : {}) });
    const listed = types.map((type) => (type === fallback ? `${type} ${output.color.dim('(default)')}` : type)).join(', ');
    rows.push([output.color.bold(scheme), listed || output.color.dim(`no samples; sends a minimal ${defaultEventType(scheme)} event (or the --event type you name)`)]);
  }
  output.line(table(rows));
  const example = args[0] ?? 'stripe';
  output.line();
  output.line(output.color.dim(`send one: hookctl send <url> --scheme ${example} --event ${DEFAULT_SAMPLE_EVENT[example] ?? defaultEventType(example)} --secret …`));
  return EXIT.ok;
}
