/**
 * The sample events of `hookctl samples`, read synchronously so that `sign` and `signedRequest`
 * can stay synchronous. They are the files of the package's sample folder (SAMPLES_DIR of
 * src/records/samples.ts), matched the way `send --event` matches them; a test holds this lookup
 * equal to that module's `loadSample` for every sample, so the two cannot drift apart.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeBody, isDeliveryRecord, type DeliveryRecord } from '../records/record.js';
import { DEFAULT_SAMPLE_EVENT, SAMPLES_DIR } from '../records/samples.js';
import { SCHEME_NAMES } from '../schemes/names.js';

/** One sample event: a real delivery of the provider, as `hookctl send --event` sends it. */
export interface Sample {
  /** The `--scheme` name. */
  readonly scheme: string;
  /** The event type (`payment_intent.succeeded`, `push`, `orders/create`). */
  readonly event: string;
  /** The body, byte for byte as the provider sends it. */
  readonly body: Buffer;
  /** The provider's headers captured with it (lower case), signature headers included as captured. */
  readonly headers: Readonly<Record<string, string>>;
  /** The file it comes from. */
  readonly file: string;
}

interface Entry {
  record: DeliveryRecord;
  stem: string;
  file: string;
}

const entriesByFolder = new Map<string, Entry[]>();

/** Svix is Standard Webhooks with `svix-` headers: it shares the samples. */
function folderFor(scheme: string): string {
  return scheme === 'svix' ? 'standard' : scheme;
}

function folders(): string[] {
  try {
    return readdirSync(SAMPLES_DIR, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'captured')
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

function entriesOf(scheme: string): Entry[] {
  const folder = folderFor(scheme);
  const cached = entriesByFolder.get(folder);
  if (cached) return cached;
  // Only the sample folders themselves: a scheme name never walks out of the samples.
  const entries: Entry[] = [];
  if (folders().includes(folder)) {
    const dir = join(SAMPLES_DIR, folder);
    for (const name of readdirSync(dir).filter((file) => file.endsWith('.json')).sort()) {
      const file = join(dir, name);
      let value: unknown;
      try {
        value = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        continue;
      }
      if (isDeliveryRecord(value)) entries.push({ record: value, stem: name.replace(/\.json$/i, ''), file });
    }
  }
  entriesByFolder.set(folder, entries);
  return entries;
}

/** How a wanted type matches a sample, best first (as `send --event`); -1 when it does not. */
function matchRank(entry: Entry, wanted: string): number {
  const want = wanted.toLowerCase();
  const type = (entry.record.eventType ?? '').toLowerCase();
  if (type === want) return 0;
  if ((entry.record.headers['x-github-event'] ?? '').toLowerCase() === want) return 1;
  if (type.split('.')[0] === want) return 2;
  const stem = entry.stem.toLowerCase();
  if (stem === want || stem === want.replace(/\//g, '-')) return 3;
  if (stem.split('.').includes(want)) return 4;
  return -1;
}

function toSample(scheme: string, entry: Entry): Sample {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(entry.record.headers)) headers[scheme === 'svix' && name.startsWith('webhook-') ? `svix-${name.slice(8)}` : name] = value;
  return { scheme, event: entry.record.eventType ?? entry.stem, body: decodeBody(entry.record), headers, file: entry.file };
}

/** The sample for a scheme and event type (the scheme's default event when none is asked), or undefined. */
export function findSample(scheme: string, event?: string): Sample | undefined {
  const wanted = event ?? DEFAULT_SAMPLE_EVENT[scheme];
  let best: Entry | undefined;
  let bestRank = Infinity;
  for (const entry of entriesOf(scheme)) {
    const rank = wanted === undefined ? 0 : matchRank(entry, wanted);
    if (rank >= 0 && rank < bestRank) {
      best = entry;
      bestRank = rank;
    }
  }
  return best ? toSample(scheme, best) : undefined;
}

/** One line of `samples.list()`: a scheme and one of its sample events. */
export interface SampleName {
  readonly scheme: string;
  readonly event: string;
}

/**
 * The sample events every scheme has, by name: the same list as `hookctl samples --json`.
 * `get` returns a fresh copy each time, so a test may change it freely.
 */
export const samples = {
  /** Every `{ scheme, event }` there is a sample for, or those of one scheme; sorted. */
  list(scheme?: string): SampleName[] {
    const schemes = scheme === undefined ? [...SCHEME_NAMES] : [scheme];
    const names: SampleName[] = [];
    for (const name of schemes) {
      const events = new Set(entriesOf(name).map((entry) => entry.record.eventType ?? entry.stem));
      for (const event of [...events].sort()) names.push({ scheme: name, event });
    }
    return names;
  },

  /**
   * The sample of `scheme` for `event` (matched as `send --event` does: the exact type, GitHub's
   * event header, the part before the dot, the file name), or the scheme's default sample.
   * Throws, naming the samples there are, when there is none.
   */
  get(scheme: string, event?: string): Sample {
    const found = findSample(scheme, event);
    if (found) return found;
    const known = samples.list(scheme).map((name) => name.event);
    throw new TypeError(`samples: no ${scheme} sample${event === undefined ? '' : ` for event "${event}"`}${known.length ? ` (there are: ${known.join(', ')})` : ''}`);
  },

  /** The scheme names that have at least one sample. */
  schemes(): string[] {
    return SCHEME_NAMES.filter((name) => entriesOf(name).length > 0);
  },
};
