import type { CommandContext } from '../cli/context.js';
import { table } from '../cli/output.js';
import { didYouMean } from '../cli/suggest.js';
import { EXIT, failure } from '../errors.js';
import { catalogIndex, catalogProvider, indexedProvider, searchCatalog, type Placement, type SampleHit } from '../records/sample-catalog.js';
import { SCHEME_CATALOG } from '../schemes/catalog.js';
import { defaultEventType } from '../send/minimal-events.js';

const PLACE: Record<Placement, string> = { header: 'in a header', body: 'in the body', both: 'in a header and the body', none: 'nowhere' };

/** How many event types the overview names per scheme before pointing at `hookctl samples SCHEME`. */
const OVERVIEW_EVENTS = 4;

/** Schemes first in the catalog's order, then providers that have samples but no scheme on this build. */
function allSchemes(): string[] {
  const schemes: string[] = SCHEME_CATALOG.map((info) => info.scheme);
  const covered = new Set(schemes.map(catalogProvider));
  const extra = Object.keys(catalogIndex().providers).filter((name) => !covered.has(name)).sort();
  return [...schemes, ...extra];
}

/**
 * `hookctl samples [SCHEME] [WORDS…]`: the sample-event catalog, all of it, one scheme's, or what
 * matches the words; `--schemes` lists the schemes themselves.
 */
export async function run({ args, options, output }: CommandContext): Promise<number> {
  const schemes = allSchemes();
  if (options.schemes) return listSchemes(args, schemes, output);

  const [first, ...rest] = args;
  const scheme = first !== undefined && schemes.includes(first.toLowerCase()) ? first.toLowerCase() : undefined;
  const words = scheme ? rest : args;
  const hits = searchCatalog(words, scheme ? [scheme] : schemes);

  for (const hit of hits) {
    output.record({ type: 'sample', scheme: hit.scheme, event: hit.event.event, examples: hit.event.examples, default: hit.isDefault, ...(hit.event.description ? { description: hit.event.description } : {}) });
  }

  if (hits.length === 0) {
    if (scheme && words.length === 0) {
      output.line(`${output.color.bold(scheme)}  ${output.color.dim(`no samples; sends a minimal ${defaultEventType(scheme)} event (or the --event type you name)`)}`);
      return EXIT.ok;
    }
    const guess = !scheme && args.length === 1 ? didYouMean(args[0]!, schemes) : undefined;
    throw failure(`no sample events match ${args.map((word) => JSON.stringify(word)).join(' ')}${guess ? ` (did you mean ${guess}?)` : ''}; hookctl samples lists them all`);
  }

  if (!scheme && words.length === 0) overview(schemes, output);
  else listHits(hits, scheme === undefined, output);
  if (scheme) {
    const provider = indexedProvider(scheme)!;
    output.line();
    output.line(output.color.dim(`${provider.title} puts the event type ${PLACE[provider.typeIn]} and the event id ${PLACE[provider.idIn]}; send sets both (a fresh id each time). Source: ${provider.source} (${provider.licence}).`));
  }
  const example = hits.find((hit) => hit.isDefault) ?? hits[0]!;
  output.line();
  output.line(output.color.dim(`send one: hookctl send <url> --scheme ${example.scheme} --event ${example.event.event} --secret …`));
  return EXIT.ok;
}

/** One row per scheme: its count and a few of its events, the default first. */
function overview(schemes: readonly string[], output: CommandContext['output']): void {
  const rows: string[][] = [];
  for (const scheme of schemes) {
    const provider = indexedProvider(scheme);
    if (!provider || provider.events.length === 0) {
      rows.push([output.color.bold(scheme), output.color.dim(`no samples; sends a minimal ${defaultEventType(scheme)} event (or the --event type you name)`)]);
      continue;
    }
    const names = [provider.defaultEvent, ...provider.events.map((event) => event.event).filter((event) => event !== provider.defaultEvent)];
    const shown = names.slice(0, OVERVIEW_EVENTS).map((event) => (event === provider.defaultEvent ? `${event} ${output.color.dim('(default)')}` : event));
    const more = names.length > OVERVIEW_EVENTS ? output.color.dim(`, … ${names.length - OVERVIEW_EVENTS} more: hookctl samples ${scheme}`) : '';
    rows.push([output.color.bold(scheme), `${shown.join(', ')}${more}`]);
  }
  output.line(table(rows));
}

/** One line per event type: scheme (when several), type, examples, description. */
function listHits(hits: readonly SampleHit[], showScheme: boolean, output: CommandContext['output']): void {
  const rows = hits.map((hit) => {
    const name = hit.isDefault ? `${hit.event.event} ${output.color.dim('(default)')}` : hit.event.event;
    const notes = [hit.event.examples > 1 ? `${hit.event.examples} examples` : '', hit.event.description ?? ''].filter(Boolean).join(' · ');
    return [...(showScheme ? [output.color.bold(hit.scheme)] : []), name, ...(notes ? [output.color.dim(notes)] : [])];
  });
  output.line(table(rows));
}

/** `--schemes`: what each scheme is, and how many sample events it has. */
function listSchemes(args: readonly string[], schemes: readonly string[], output: CommandContext['output']): number {
  const wanted = args.map((word) => word.toLowerCase());
  const infos = SCHEME_CATALOG.filter((info) => wanted.length === 0 || wanted.some((word) => info.scheme.includes(word) || info.title.toLowerCase().includes(word) || info.family.includes(word)));
  if (infos.length === 0) throw failure(`no scheme matches ${args.map((word) => JSON.stringify(word)).join(' ')}${args.length === 1 && didYouMean(args[0]!, schemes) ? ` (did you mean ${didYouMean(args[0]!, schemes)}?)` : ''}`);
  const rows: string[][] = [];
  for (const info of infos) {
    const samples = indexedProvider(info.scheme)?.events.length ?? 0;
    output.record({ type: 'scheme', scheme: info.scheme, family: info.family, verifies: info.verifies, signs: info.signs, title: info.title, samples });
    const abilities = [info.signs ? 'signs' : '', info.verifies ? 'verifies' : ''].filter(Boolean).join(' + ') || 'neither';
    rows.push([output.color.bold(info.scheme), info.title, output.color.dim(info.family), abilities, output.color.dim(samples > 0 ? `${samples} sample events` : 'minimal events')]);
  }
  output.line(table(rows));
  return EXIT.ok;
}
