import type { CommandContext } from '../cli/context.js';
import { readBody } from '../input/body.js';
import { schemeOptionsFrom } from '../cli/scheme-flags.js';
import { resolveSecrets } from '../cli/secrets.js';
import { EXIT, failure, usageError } from '../errors.js';
import { readFixtures, where, type FixtureEntry } from '../records/reader.js';
import { decodeBody, type DeliveryRecord } from '../records/record.js';
import { parseDuration, parseHeaderFlag, parseInteger, parseUrl } from '../options/units.js';
import { getScheme, isSchemeName, verifyWith } from '../schemes/registry.js';
import type { HeaderMap } from '../schemes/types.js';
import { renderVerification } from './render-verification.js';

interface RequestToVerify {
  headers: HeaderMap;
  body: Buffer;
  url?: string;
  /** With --fixture and --data/--file: the captured body, which the given one is a copy of. */
  original?: Buffer;
  /** With --fixture: when it was captured, Unix seconds (the --now that checks it as of then). */
  capturedAtSeconds?: number;
}

/** A scheme named on the command line whose signature travels in the body (Mailgun, SNS): no header to give. */
function signsInBody(name: unknown): boolean {
  return typeof name === 'string' && isSchemeName(name) && getScheme(name).signatureHeaders.length === 0;
}

async function requestFromFlags(options: CommandContext['options'], cwd: string, note: (text: string) => void): Promise<RequestToVerify> {
  if (options.fixture !== undefined) {
    const record = await capturedDelivery(options.fixture, options.id as string | undefined, cwd, note);
    const headers: HeaderMap = { ...record.headers };
    for (const flag of (options.header as string[] | undefined) ?? []) {
      const [name, value] = parseHeaderFlag(flag);
      headers[name.toLowerCase()] = value;
    }
    const url = record.receivedAt ? new URL(record.path, record.receivedAt).toString() : undefined;
    // --data/--file with a fixture: the body an app says it verified, checked against the
    // captured headers and compared with the captured bytes it should have been.
    const copy = await readBody(options);
    const captured = decodeBody(record);
    const capturedAtMs = Date.parse(record.capturedAt);
    const capturedAtSeconds = Number.isFinite(capturedAtMs) ? Math.floor(capturedAtMs / 1000) : undefined;
    return { headers, body: copy ?? captured, ...(url ? { url } : {}), ...(copy ? { original: captured } : {}), ...(capturedAtSeconds !== undefined ? { capturedAtSeconds } : {}) };
  }
  const body = await readBody(options);
  if (body === undefined) throw usageError('--data or --file: the raw body to verify is required (--file - reads stdin)');
  const headers: HeaderMap = {};
  for (const flag of (options.header as string[] | undefined) ?? []) {
    const [name, value] = parseHeaderFlag(flag);
    const key = name.toLowerCase();
    const previous = headers[key];
    // Repeated headers are kept as a list, the way they arrive over HTTP.
    headers[key] = previous === undefined ? value : [previous, value].flat();
  }
  if (Object.keys(headers).length === 0 && !signsInBody(options.scheme)) throw usageError('--header: give the signature headers, e.g. -H "Stripe-Signature: t=…,v1=…"');
  return { headers, body };
}

export async function run({ options, output, env, cwd }: CommandContext): Promise<number> {
  const secrets = resolveSecrets(options, env);
  if (secrets.length === 0) throw usageError('--secret: a secret is required to verify (or --secret-file, or HOOKCTL_SECRET)');
  if (options.id !== undefined && options.fixture === undefined) throw usageError('--id: picks a delivery of a --fixture journal; give --fixture too');
  const request = await requestFromFlags(options, cwd, (text) => output.note(text));
  // Validated, but kept as typed: Twilio signs the exact characters, which new URL() may re-encode.
  if (options.url !== undefined) parseUrl(options.url, '--url');
  const url: string | undefined = options.url ?? request.url;
  const nowMs = options.now !== undefined ? parseInteger(options.now, '--now', { min: 0 }) * 1000 : Date.now();
  const input = {
    body: request.body,
    headers: request.headers,
    secrets,
    ...(options.tolerance !== undefined ? { toleranceSeconds: parseDuration(options.tolerance, '--tolerance') / 1000 } : {}),
    nowMs,
    ...(url ? { url } : {}),
  };
  // verifyWith says what it looked for when no scheme is found, and which other provider's signature a pinned scheme's refusal found.
  const { result } = verifyWith(options.scheme, input, schemeOptionsFrom(options), request.original ? { original: request.original } : {});
  renderVerification(output, result, request.capturedAtSeconds !== undefined && options.now === undefined ? { capturedAtSeconds: request.capturedAtSeconds } : {});
  return result.verified ? EXIT.ok : EXIT.failed;
}

/**
 * The delivery `--fixture` names: a fixture file's record, or from a capture journal (what
 * `listen` writes) or a folder the delivery with `--id` (its event id or capture id), else the
 * last one. What cannot be read is a usage error (exit 2): exit 1 means a signature that failed.
 */
async function capturedDelivery(path: string, id: string | undefined, cwd: string, note: (text: string) => void): Promise<DeliveryRecord> {
  let chosen: FixtureEntry | undefined;
  let count = 0;
  let bare = false;
  let firstProblem: string | undefined;
  for await (const item of readFixtures([path], { cwd })) {
    if (item.kind === 'problem') {
      if (item.missing) throw usageError(`--fixture: ${path}: ${item.message}`);
      firstProblem ??= `${where(item)}: ${item.message}`;
      continue;
    }
    if (item.bare) {
      bare = true;
      continue;
    }
    count++;
    if (id === undefined || item.record.eventId === id || item.record.id === id) chosen = item;
  }
  if (!chosen) {
    if (id !== undefined && count > 0) throw usageError(`--id: no delivery with event id or capture id ${id} in ${path} (${count} ${count === 1 ? 'delivery' : 'deliveries'})`);
    if (bare) throw usageError(`--fixture: ${path} is not a hookctl delivery record (a bare body? pass it with --file and its headers with -H)`);
    throw usageError(`--fixture: ${firstProblem ?? `${path} holds no deliveries`}`);
  }
  if (count > 1 && id === undefined) note(`verifying the last of ${count} deliveries in ${path} (${where(chosen)}${chosen.record.eventId ? `, event ${chosen.record.eventId}` : ''}); --id EVENT_ID picks another`);
  return chosen.record;
}
