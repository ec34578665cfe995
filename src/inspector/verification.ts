/**
 * The verification panel for one delivery: the verdict (the listener's, or re-checked now with the
 * inspector's secrets as of the capture time), what was signed, received vs computed signatures,
 * and, on a mismatch a small change explains, the body the sender actually signed.
 */
import { diagnose } from '../schemes/diagnose.js';
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

/** The body the sender signed, when the diagnosis finds a change to the body that explains a mismatch. */
function findSignedBody(scheme: Scheme, input: VerifyInput): { text: string; cause: string } | null {
  const found = diagnose(scheme, input);
  return found?.signedBody ? { text: found.signedBody.toString('utf8'), cause: found.cause } : null;
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
