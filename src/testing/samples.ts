/**
 * The sample events of `hookctl samples`, by scheme and event: the samples module's own lookup
 * (`loadSample`, `sampleTypes`, `sampleSchemes` in src/records/samples.ts), so every sample it
 * has, for every provider, is here by the same name and matched the same way as `send --event`.
 * A sample is read synchronously (the catalog is small), so `signedRequest` returns a `Request`.
 */
import { decodeBody } from '../records/record.js';
import { sampleRecord, sampleSchemes, sampleTypes } from '../records/samples.js';

/** One sample event: a delivery of the provider, as `hookctl send --event` sends it. */
export interface Sample {
  /** The `--scheme` name. */
  readonly scheme: string;
  /** The event type (`payment_intent.succeeded`, `push`, `orders/create`). */
  readonly event: string;
  /** The body, byte for byte as it is sent. */
  readonly body: Buffer;
  /** Headers that come with the sample (lower case), such as its Content-Type. */
  readonly headers: Readonly<Record<string, string>>;
  /** The event id the body or its headers carry, if any. */
  readonly eventId: string | undefined;
}

/** One line of `samples.list()`: a scheme and one of its sample events. */
export interface SampleName {
  readonly scheme: string;
  readonly event: string;
}

/** The sample for a scheme and event type (the scheme's default event when none is asked), or undefined. */
export function findSample(scheme: string, event?: string): Sample | undefined {
  const record = sampleRecord(scheme, event);
  if (!record) return undefined;
  return {
    scheme,
    event: record.eventType ?? event ?? 'event',
    body: decodeBody(record),
    headers: { ...record.headers },
    eventId: record.eventId ?? undefined,
  };
}

/**
 * The sample events every scheme has, by name: the same list as `hookctl samples --json`.
 * `get` returns a fresh copy each time, so a test may change it freely.
 */
export const samples = {
  /** Every `{ scheme, event }` there is a sample for, or those of one scheme; sorted. */
  async list(scheme?: string): Promise<SampleName[]> {
    const schemes = scheme === undefined ? await sampleSchemes() : [scheme];
    const names: SampleName[] = [];
    for (const name of schemes) for (const event of await sampleTypes(name)) names.push({ scheme: name, event });
    return names;
  },

  /**
   * The sample of `scheme` for `event` (matched as `send --event` matches it), or the scheme's
   * default sample. Rejects, naming the samples there are, when there is none.
   */
  async get(scheme: string, event?: string): Promise<Sample> {
    const found = findSample(scheme, event);
    if (found) return found;
    const known = await sampleTypes(scheme);
    throw new TypeError(`samples: no ${scheme} sample${event === undefined ? '' : ` for event "${event}"`}${known.length ? ` (there are: ${known.join(', ')})` : ''}`);
  },

  /** The scheme names that have at least one sample, sorted. */
  schemes(): Promise<string[]> {
    return sampleSchemes();
  },
};
