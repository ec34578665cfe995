/**
 * Library entry: the signature core and the delivery record, for use from code. For tests, see
 * `hookctl/testing` (src/testing/), which builds on this.
 *
 * Every function that needs a scheme takes either its name (`'stripe'`, any `--scheme` value) or
 * a `Scheme` from `getScheme`: `signRequest` and `verifyWith` alike.
 */
import { getScheme, verifyWith as verifyWithName } from './schemes/registry.js';
import { signRequest as signRequestWith, type SignedRequest } from './schemes/sign-request.js';
import { verifyAndDiagnose } from './schemes/diagnose.js';
import type { Scheme, SchemeOptions, SignInput, VerifyInput, VerifyResult } from './schemes/types.js';

export * from './schemes/index.js';
export * from './records/record.js';
export type { SignedRequest };

/** A scheme by name, or the `Scheme` object itself; anything else is a clear TypeError, not `"[object Object]"`. */
function schemeOf(scheme: string | Scheme, options: SchemeOptions): Scheme {
  if (typeof scheme === 'string') return getScheme(scheme, options);
  if (scheme !== null && typeof scheme === 'object' && typeof scheme.sign === 'function' && typeof scheme.verify === 'function') return scheme;
  throw new TypeError(`scheme: expected a scheme name (e.g. "stripe") or a Scheme from getScheme(), got ${scheme === null ? 'null' : typeof scheme}`);
}

/**
 * Everything a provider would put on the request for this body: its delivery headers and the
 * signature. `scheme` is a name (`'github'`) or a `Scheme` from `getScheme`.
 */
export function signRequest(scheme: string | Scheme, input: SignInput & { type?: string }, options: SchemeOptions = {}): SignedRequest {
  return signRequestWith(schemeOf(scheme, options), input);
}

/**
 * Verifies with a scheme name, `'auto'` (detected from the headers) or a `Scheme` from
 * `getScheme`; a request with no known signature header is explained, and a mismatch comes with
 * its likely cause.
 */
export function verifyWith(scheme: string | Scheme, input: VerifyInput, options: SchemeOptions = {}): { scheme: Scheme | undefined; result: VerifyResult } {
  if (typeof scheme === 'string') return verifyWithName(scheme, input, options);
  const resolved = schemeOf(scheme, options);
  return { scheme: resolved, result: verifyAndDiagnose(resolved, input) };
}
