/**
 * The verification panel for one delivery: the verdict (the listener's, or re-checked now with the
 * inspector's secrets as of the capture time), what was signed, received vs computed signatures,
 * and, on a mismatch a small change explains, the body the sender actually signed.
 */
import { jsonBody } from '../schemes/common.js';
import { explainSignature } from '../schemes/explain.js';
import { detectScheme, getScheme, isSchemeName, verifyWith } from '../schemes/registry.js';
import type { Scheme, SchemeOptions, VerifyInput, VerifyResult } from '../schemes/types.js';
import type { LoadedDelivery } from './segment.js';
import type { VerificationView } from './types.js';

export interface VerificationSettings {
  secrets: readonly string[];
  /** `auto`, or the scheme to verify and re-sign with. */
  scheme: string;
  schemeOptions: SchemeOptions;
  toleranceSeconds: number;
  /** The public URL a URL-signing scheme (Twilio) signs, when it is not the one captured. */
  publicUrl?: string;
}

/** The scheme for a delivery: the one asked for, else the one it was captured with, else detected. */
export function schemeFor(record: LoadedDelivery['record'], settings: Pick<VerificationSettings, 'scheme' | 'schemeOptions'>): Scheme | undefined {
  if (settings.scheme !== 'auto') return getScheme(settings.scheme, settings.schemeOptions);
  if (record.scheme && isSchemeName(record.scheme)) return getScheme(record.scheme, settings.schemeOptions);
  return detectScheme(record.headers, settings.schemeOptions);
}

/** Bodies larger than this get no signed-body search (each variant costs a verification). */
const MAX_VARIANT_BODY = 1024 * 1024;

/** Small changes that break a signature, most likely first; JSON re-serialization last. */
function bodyVariants(text: string): Array<{ cause: string; text: string }> {
  const variants: Array<{ cause: string; text: string }> = [];
  if (text.endsWith('\r\n')) variants.push({ cause: 'a trailing CRLF was added to the body', text: text.slice(0, -2) });
  else if (text.endsWith('\n')) variants.push({ cause: 'a trailing newline was added to the body', text: text.slice(0, -1) });
  variants.push({ cause: 'the trailing newline the sender signed was stripped', text: `${text}\n` });
  if (text.includes('\r\n')) variants.push({ cause: 'LF line endings became CRLF', text: text.replace(/\r\n/g, '\n') });
  else if (text.includes('\n')) variants.push({ cause: 'CRLF line endings became LF', text: text.replace(/\n/g, '\r\n') });
  const parsed = jsonBody(Buffer.from(text, 'utf8'));
  if (parsed !== undefined) {
    for (const [layout, serialized] of [
      ['compact', JSON.stringify(parsed)],
      ['pretty-printed with 2 spaces', JSON.stringify(parsed, null, 2)],
      ['pretty-printed with 4 spaces', JSON.stringify(parsed, null, 4)],
      ['pretty-printed with tabs', JSON.stringify(parsed, null, '\t')],
    ] as const) {
      if (serialized !== text) variants.push({ cause: `the sender signed this JSON ${layout}; it was parsed and re-serialized on the way`, text: serialized });
    }
  }
  return variants;
}

/** The body the sender signed, when one of the usual small changes explains a mismatch. */
function findSignedBody(scheme: Scheme, input: VerifyInput): { text: string; cause: string } | null {
  if (input.body.length > MAX_VARIANT_BODY) return null;
  const text = Buffer.from(input.body).toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(Buffer.from(input.body))) return null;
  for (const variant of bodyVariants(text)) {
    const result = scheme.verify({ ...input, body: Buffer.from(variant.text, 'utf8') });
    // A stale timestamp is only reported after the signature matched.
    if (result.verified || result.reason === 'timestamp_outside_tolerance') return variant;
  }
  return null;
}

export function verificationView(loaded: LoadedDelivery, settings: VerificationSettings): VerificationView {
  const { record } = loaded;
  let scheme: Scheme | undefined;
  try {
    scheme = schemeFor(record, settings);
  } catch {
    scheme = undefined;
  }
  const body = loaded.body;
  const url = settings.publicUrl ?? loaded.url ?? undefined;
  const nowMs = loaded.arrivalMs ?? Date.now();
  const secrets = settings.secrets;
  const input: VerifyInput | undefined = body ? { body, headers: record.headers, secrets, toleranceSeconds: settings.toleranceSeconds, nowMs, ...(url ? { url } : {}) } : undefined;

  let basis: VerificationView['basis'] = 'recorded';
  let result: VerifyResult | null = null;
  if (loaded.verification) {
    basis = 'received';
    result = loaded.verification;
  } else if (input && secrets.length > 0) {
    basis = 'rechecked';
    result = verifyWith(scheme ? scheme.name : 'auto', input, settings.schemeOptions).result;
  }

  const explanation = scheme && body && input ? explainSignature(scheme, { headers: record.headers, body, secrets, ...(url ? { url } : {}) }) : null;
  const timestamp = explanation?.timestamp ?? null;
  const skewSeconds = timestamp !== null && loaded.arrivalMs !== null ? timestamp - Math.floor(loaded.arrivalMs / 1000) : null;
  const signedBody = scheme && input && result?.reason === 'signature_mismatch' && secrets.length > 0 ? findSignedBody(scheme, input) : null;

  return {
    scheme: scheme?.name ?? record.scheme,
    schemeTitle: scheme?.title ?? null,
    basis,
    verified: result ? result.verified : record.verified,
    reason: result ? result.reason : record.reason,
    message: result?.message ?? null,
    diagnosis: result?.diagnosis ?? null,
    secretIndex: result?.secretIndex ?? null,
    secretCount: secrets.length,
    timestamp,
    skewSeconds: result?.skewSeconds ?? skewSeconds,
    toleranceSeconds: settings.toleranceSeconds,
    explanation,
    signedBody,
  };
}
