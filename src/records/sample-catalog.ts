/**
 * The sample-event catalog shipped in `data/samples/`: an index (`index.json`, small, plain JSON:
 * what `hookctl samples` lists and searches) and one gzip'd JSON file per provider holding the
 * bodies, unsigned (they are signed when sent, with the user's secret). Built by
 * `scripts/gen-samples.ts`; read only by the commands that need samples, never at start-up. A
 * large provider is split by event family (`github/pull_request.json.gz`).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const CATALOG_FORMAT = 'hookctl.samples.v1';

/** `dist/records/` and `src/records/` both sit two levels below the package root. */
export const CATALOG_DIR = fileURLToPath(new URL('../../data/samples/', import.meta.url));

/** Where a provider puts what identifies an event: `send` keeps the body's copy fresh, the scheme's headers carry the rest. */
export type Placement = 'header' | 'body' | 'both' | 'none';

/** A body field set to the time of sending (Linear signs `webhookTimestamp` and refuses one older than a minute). */
export interface FreshField {
  key: string;
  unit: 's' | 'ms' | 'iso';
}

/** One example event as stored. */
export interface StoredSample {
  /** The event type people ask for (`pull_request.opened`, `invoice.paid`, `Issue.create`). */
  event: string;
  /** The exact body, as UTF-8 text. */
  body: string;
  /** When it differs from the provider's. */
  contentType?: string;
  /** The event id inside the body, replaced by a fresh id at each send. */
  id?: string;
  /** What the provider's event-type header says when it is not `event` (GitHub `pull_request`, Linear `Issue`). */
  headerType?: string;
  /** Body fields that must carry the time of sending. */
  fresh?: FreshField[];
}

export interface StoredProvider {
  format: typeof CATALOG_FORMAT;
  provider: string;
  samples: StoredSample[];
}

/** What the index says of one event type. */
export interface IndexedEvent {
  event: string;
  /** How many examples of this type (the first is sent unless `event#N` names another). */
  examples: number;
  description?: string;
}

export interface IndexedProvider {
  title: string;
  /** Where the examples come from, as in NOTICE. */
  source: string;
  licence: string;
  contentType: string;
  defaultEvent: string;
  /** Where this provider puts the event type and the event id. */
  typeIn: Placement;
  idIn: Placement;
  events: IndexedEvent[];
  /**
   * A large provider (GitHub's 3 MB) is stored as one file per event family,
   * `<provider>/<family>.json.gz` (the type up to its first dot), so sending one event reads one
   * small file instead of all of them.
   */
  sharded?: boolean;
}

export interface CatalogIndex {
  format: typeof CATALOG_FORMAT;
  providers: Record<string, IndexedProvider>;
}

/**
 * Schemes that share another's samples: Svix is Standard Webhooks with `svix-` headers, Jira's
 * webhooks are Atlassian's, WhatsApp's are Meta's.
 */
const SHARED_SAMPLES: Readonly<Record<string, string>> = { svix: 'standard', jira: 'atlassian', whatsapp: 'meta' };

export function catalogProvider(scheme: string): string {
  return Object.hasOwn(SHARED_SAMPLES, scheme) ? SHARED_SAMPLES[scheme]! : scheme;
}

let index: CatalogIndex | undefined;
const files = new Map<string, StoredSample[]>();

/** The index; an empty one when the data folder is missing (a broken install still sends minimal events). */
export function catalogIndex(): CatalogIndex {
  if (index) return index;
  try {
    const parsed = JSON.parse(readFileSync(`${CATALOG_DIR}index.json`, 'utf8')) as CatalogIndex;
    index = parsed.format === CATALOG_FORMAT ? parsed : { format: CATALOG_FORMAT, providers: {} };
  } catch {
    index = { format: CATALOG_FORMAT, providers: {} };
  }
  return index;
}

/** A provider's entry in the index, by scheme name (only names the index holds: never a path). */
export function indexedProvider(scheme: string): IndexedProvider | undefined {
  const name = catalogProvider(scheme);
  const providersOf = catalogIndex().providers;
  return Object.hasOwn(providersOf, name) ? providersOf[name] : undefined;
}

/** The family a sharded provider files an event under: its type up to the first dot. */
export function shardOf(event: string): string {
  return event.split('.')[0]!;
}

/** One stored file's samples, decompressed on first use; `file` is a name the index produced. */
function readStored(file: string): StoredSample[] {
  let samples = files.get(file);
  if (!samples) {
    try {
      samples = (JSON.parse(gunzipSync(readFileSync(`${CATALOG_DIR}${file}.json.gz`)).toString('utf8')) as StoredProvider).samples;
    } catch {
      samples = [];
    }
    files.set(file, samples);
  }
  return samples;
}

/** The files holding a provider's samples, in catalog order. */
function filesOf(name: string, provider: IndexedProvider): string[] {
  if (!provider.sharded) return [name];
  return [...new Set(provider.events.map((event) => shardOf(event.event)))].map((shard) => `${name}/${shard}`);
}

/** Every stored example of a provider (all of its files). */
export function providerSamples(scheme: string): StoredSample[] {
  const provider = indexedProvider(scheme);
  if (!provider) return [];
  return filesOf(catalogProvider(scheme), provider).flatMap(readStored);
}

/** A match of `hookctl samples` words. */
export interface SampleHit {
  scheme: string;
  event: IndexedEvent;
  isDefault: boolean;
}

/**
 * Events whose provider, type or description hold every search word at the start of a word
 * (case-insensitive; `_`, `.`, `/`, `:` and `-` count as spaces, so `payment fail` finds
 * `invoice.payment_failed` and `opened` does not find `reopened`).
 */
export function searchCatalog(words: readonly string[], schemes: readonly string[]): SampleHit[] {
  const wanted = words.map(normalise).filter(Boolean);
  const hits: SampleHit[] = [];
  for (const scheme of schemes) {
    const provider = indexedProvider(scheme);
    if (!provider) continue;
    for (const event of provider.events) {
      const text = ` ${normalise(`${scheme} ${event.event} ${event.description ?? ''}`)}`;
      if (wanted.every((word) => text.includes(` ${word}`))) hits.push({ scheme, event, isDefault: event.event === provider.defaultEvent });
    }
  }
  return hits;
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/[._/:-]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * The stored example for a scheme and wanted type, best match first: the exact type (`event#2`
 * names the second example of it); the provider's own header type (GitHub `pull_request` for
 * `pull_request.opened`); the part before the first dot or slash. Case-insensitive.
 */
export function findSample(scheme: string, wanted?: string): StoredSample | undefined {
  const provider = indexedProvider(scheme);
  if (!provider) return undefined;
  const asked = (wanted ?? provider.defaultEvent).toLowerCase();
  const hash = asked.lastIndexOf('#');
  const variant = hash > 0 && /^\d+$/.test(asked.slice(hash + 1)) ? Number(asked.slice(hash + 1)) : 1;
  const want = hash > 0 && variant ? asked.slice(0, hash) : asked;
  const samples = samplesFor(catalogProvider(scheme), provider, want);
  const ranked = (rank: (sample: StoredSample) => boolean) => samples.filter(rank)[variant - 1];
  return (
    ranked((sample) => sample.event.toLowerCase() === want) ??
    ranked((sample) => (sample.headerType ?? '').toLowerCase() === want) ??
    ranked((sample) => sample.event.toLowerCase().split(/[./]/)[0] === want) ??
    ranked((sample) => sample.event.toLowerCase().replace(/\//g, '-') === want)
  );
}

/** Only the file a wanted type can be in, for a sharded provider; else the provider's one file. */
function samplesFor(name: string, provider: IndexedProvider, want: string): StoredSample[] {
  if (!provider.sharded) return readStored(name);
  const shard = provider.events.map((event) => shardOf(event.event)).find((family) => family.toLowerCase() === shardOf(want));
  return shard === undefined ? [] : readStored(`${name}/${shard}`);
}

/** The body with its fresh fields set to `now` (top-level JSON keys, rewritten in place in the text). */
export function freshBody(sample: StoredSample, now: Date = new Date()): string {
  let body = sample.body;
  for (const field of sample.fresh ?? []) {
    const value = field.unit === 'iso' ? JSON.stringify(now.toISOString()) : String(field.unit === 'ms' ? now.getTime() : Math.floor(now.getTime() / 1000));
    const pattern = new RegExp(`("${field.key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:\\s*)(-?\\d+(?:\\.\\d+)?|"[^"]*")`);
    body = body.replace(pattern, (_match, prefix: string) => prefix + value);
  }
  return body;
}
