import type { CommandContext } from '../cli/context.js';
import { readBody, readFileFor } from '../input/body.js';
import { schemeOptionsFrom } from '../cli/scheme-flags.js';
import { resolveSecrets } from '../cli/secrets.js';
import { EXIT, failure, usageError } from '../errors.js';
import { decodeBody, isDeliveryRecord } from '../records/record.js';
import { parseDuration, parseHeaderFlag, parseInteger, parseUrl } from '../options/units.js';
import { verifyAndDiagnose } from '../schemes/diagnose.js';
import { resolveScheme, verifyWith } from '../schemes/registry.js';
import type { HeaderMap } from '../schemes/types.js';
import { renderVerification } from './render-verification.js';

interface RequestToVerify {
  headers: HeaderMap;
  body: Buffer;
  url?: string;
  /** With --fixture and --data/--file: the captured body, which the given one is a copy of. */
  original?: Buffer;
}

async function requestFromFlags(options: CommandContext['options']): Promise<RequestToVerify> {
  if (options.fixture !== undefined) {
    const text = (await readFileFor('--fixture', options.fixture)).toString('utf8');
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      throw failure(`--fixture: ${options.fixture} is not JSON`);
    }
    if (!isDeliveryRecord(record)) throw failure(`--fixture: ${options.fixture} is not a hookctl delivery record (a bare body? pass it with --file and its headers with -H)`);
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
    return { headers, body: copy ?? captured, ...(url ? { url } : {}), ...(copy ? { original: captured } : {}) };
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
  if (Object.keys(headers).length === 0) throw usageError('--header: give the signature headers, e.g. -H "Stripe-Signature: t=…,v1=…"');
  return { headers, body };
}

export async function run({ options, output, env }: CommandContext): Promise<number> {
  const secrets = resolveSecrets(options, env);
  if (secrets.length === 0) throw usageError('--secret: a secret is required to verify (or --secret-file, or HOOKCTL_SECRET)');
  const request = await requestFromFlags(options);
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
  const scheme = resolveScheme(options.scheme, request.headers, schemeOptionsFrom(options));
  // No scheme found: verifyWith says what it looked for.
  const result = scheme ? verifyAndDiagnose(scheme, input, request.original ? { original: request.original } : {}) : verifyWith(options.scheme, input, schemeOptionsFrom(options)).result;
  renderVerification(output, result);
  return result.verified ? EXIT.ok : EXIT.failed;
}
