import { readBody } from '../input/body.js';
import { failure, usageError } from '../errors.js';
import { where, type FixtureEntry, type FixtureProblem } from '../records/reader.js';
import { checkQueueSource, isQueueSource, readSources } from '../records/sources.js';
import { parseQueueAddress, type AddressOverrides } from '../queue/address.js';
import { decodeBody, type DeliveryRecord } from '../records/record.js';
import { findSample, freshBody, indexedProvider, type StoredSample } from '../records/sample-catalog.js';
import type { Scheme } from '../schemes/types.js';
import type { EventTemplate } from './event.js';
import { idLike } from './id-like.js';
import { minimalTemplate } from './minimal-events.js';
import { defaultContentType, isJson, JSON_SCHEMES } from './content-type.js';

export interface SourceInput {
  scheme: Scheme;
  data?: string;
  file?: string;
  /** The positional fixture file, journal or folder, or a redis:// queue. */
  fixture?: string;
  /** For a redis:// fixture: --stream and the password from --redis-password-file. */
  queue?: AddressOverrides;
  /** --event */
  event?: string;
  cwd: string;
  stdin?: NodeJS.ReadableStream;
  warn(text: string): void;
}

export interface ResolvedSource {
  templates: EventTemplate[];
  /** The scheme the fixture's records were captured with, when they agree on one. */
  fixtureScheme?: string;
}

function fromRecord(record: DeliveryRecord, scheme: Scheme, source: string, event: string | undefined, rewritable: boolean): EventTemplate {
  const body = decodeBody(record);
  return {
    body,
    contentType: record.headers['content-type'] ?? defaultContentType(scheme.name, body),
    eventType: event ?? record.eventType ?? scheme.eventType(record.headers, body),
    eventId: record.eventId ?? scheme.eventId(record.headers, body),
    bodyEventId: scheme.eventId({}, body),
    rewritable,
    method: record.method || 'POST',
    source,
  };
}

/**
 * What to send: --data, --file (or stdin), a fixture file/journal/folder, or else the scheme's
 * sample event (of the --event type). User bodies are kept byte for byte.
 */
export async function resolveSource(input: SourceInput): Promise<ResolvedSource> {
  const { scheme } = input;
  const given = [input.data !== undefined && '--data', input.file !== undefined && '--file', input.fixture !== undefined && 'a fixture argument'].filter(Boolean);
  if (given.length > 1) throw usageError(`${given.join(' and ')}: give only one body source`);

  if (input.data !== undefined || input.file !== undefined) {
    const flag = input.data !== undefined ? '--data' : '--file';
    const body = (await readBody({ ...(input.data !== undefined ? { data: input.data } : {}), ...(input.file !== undefined ? { file: input.file } : {}) }, input.stdin))!;
    if (JSON_SCHEMES.has(scheme.name)) {
      const check = isJson(body);
      if (!check.ok) throw usageError(`${flag}: ${scheme.name} webhooks carry JSON, but this body is not valid JSON (${check.reason}); use --scheme hmac to send other bodies`);
    }
    const bodyEventId = scheme.eventId({}, body);
    return {
      templates: [
        {
          body,
          contentType: defaultContentType(scheme.name, body),
          eventType: input.event ?? scheme.eventType({}, body) ?? impliedType(scheme, body),
          eventId: bodyEventId,
          bodyEventId,
          rewritable: false,
          method: 'POST',
          source: flag === '--file' ? (input.file === '-' ? 'stdin' : input.file!) : '--data',
        },
      ],
    };
  }

  if (input.fixture !== undefined) {
    const queue = input.queue ?? {};
    const fromQueue = isQueueSource(input.fixture);
    if (fromQueue) checkQueueSource(input.fixture, { queue });
    const entries: FixtureEntry[] = [];
    const problems: FixtureProblem[] = [];
    for await (const item of readSources([input.fixture], { cwd: input.cwd, queue })) {
      if (item.kind === 'entry') entries.push(item);
      else problems.push(item);
    }
    const missing = problems.find((problem) => problem.missing);
    if (missing) throw usageError(`${missing.source}: ${missing.message}`);
    // One file given and unreadable is bad input, as verify --fixture says it: one line, exit 2.
    const [only] = problems;
    if (entries.length === 0 && problems.length === 1 && only && !fromQueue) throw usageError(`${where(only)}: ${only.message}`);
    for (const problem of problems) input.warn(`${where(problem)}: ${problem.message}`);
    if (entries.length === 0) {
      if (fromQueue) throw failure(`${parseQueueAddress(input.fixture, queue).display}: the stream holds no deliveries (a worker keeps delivered entries for its --retain, default 10 minutes)`);
      throw failure(`${input.fixture}: no deliveries could be read`);
    }
    const schemes = new Set(entries.map((entry) => entry.record.scheme).filter((name): name is string => Boolean(name)));
    const templates = entries.map((entry) => fromRecord(entry.record, scheme, where(entry), input.event, false));
    return { templates, ...(schemes.size === 1 ? { fixtureScheme: [...schemes][0]! } : {}) };
  }

  const sample = findSample(scheme.name, input.event);
  if (sample) return { templates: [sampleTemplate(scheme, sample)] };
  // No sample of that type: a minimal, well-formed event of the asked type still exercises the handler.
  if (input.event !== undefined) {
    const known = indexedProvider(scheme.name)?.events.length ?? 0;
    const hint = known > 0 ? `hookctl samples ${scheme.name} lists its ${known}` : "hookctl samples lists every scheme's";
    input.warn(`no sample for ${scheme.name} event "${input.event}" (${hint}); sending a minimal event of that type`);
  }
  return { templates: [minimalTemplate(scheme.name, input.event)] };
}

/**
 * A catalog sample as a template: its body with the time-bound fields set to now, its type (and the
 * provider's header form of it), and the id inside the body that each send replaces. Only a declared
 * id is replaced (a JSON number, HubSpot's eventId, is declared only where its digits occur once).
 */
function sampleTemplate(scheme: Scheme, sample: StoredSample): EventTemplate {
  const body = Buffer.from(freshBody(sample), 'utf8');
  const provider = indexedProvider(scheme.name)!;
  return {
    body,
    contentType: sample.contentType ?? provider.contentType,
    // A sample's own content type is stored only where it is not the provider's usual one.
    ...(sample.contentType ? { ownContentType: true } : {}),
    eventType: sample.event,
    ...(sample.headerType ? { headerEventType: sample.headerType } : {}),
    eventId: sample.id ?? scheme.eventId({}, body),
    bodyEventId: sample.id,
    ...(sample.id ? { newId: idLike(sample.id) } : {}),
    rewritable: true,
    method: 'POST',
    source: `sample ${scheme.name}/${sample.event}`,
  };
}

/**
 * The type the scheme's own headers give a body sent without --event (GitHub's X-GitHub-Event
 * `ping`, Shopify's default topic), so what is shown is what is sent.
 */
function impliedType(scheme: Scheme, body: Buffer): string | undefined {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(scheme.deliveryHeaders({ id: 'hookctl-implied-type' }))) headers[name.toLowerCase()] = value;
  return scheme.eventType(headers, body);
}
