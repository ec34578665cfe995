import { jsonBody } from './common.js';
import type { KeyEncoding, Scheme, VerifyInput } from './types.js';

/** Bodies larger than this are not re-serialized for diagnosis: it would cost more than it tells. */
const MAX_DIAGNOSED_BODY = 1024 * 1024;

interface Suspect {
  cause: string;
  input: VerifyInput;
}

function* bodySuspects(input: VerifyInput): Generator<Suspect> {
  const text = Buffer.from(input.body).toString('utf8');
  const withBody = (body: string) => ({ ...input, body: Buffer.from(body, 'utf8') });
  if (text.endsWith('\r\n')) {
    yield { cause: 'the signature matches the body without its trailing CRLF: a trailing newline was added to the body', input: withBody(text.slice(0, -2)) };
  } else if (text.endsWith('\n')) {
    yield { cause: 'the signature matches the body without its trailing newline: a newline was added (an editor, echo, or a heredoc adds one)', input: withBody(text.slice(0, -1)) };
  }
  yield { cause: 'the signature matches the body with a trailing newline: the sender signed a newline that was stripped (e.g. by $(cat file) or a trim())', input: withBody(`${text}\n`) };
  if (text.includes('\r\n')) {
    yield { cause: 'the signature matches the body with LF line endings: CRLFs were introduced (git autocrlf, Windows editor) — keep fixtures byte for byte', input: withBody(text.replace(/\r\n/g, '\n')) };
  } else if (text.includes('\n')) {
    yield { cause: 'the signature matches the body with CRLF line endings: line endings were converted to LF — keep fixtures byte for byte', input: withBody(text.replace(/\n/g, '\r\n')) };
  }
  // Re-serialization last: a smaller edit (one newline) that also explains it is the likelier cause.
  const parsed = input.body.length <= MAX_DIAGNOSED_BODY ? jsonBody(input.body) : undefined;
  if (parsed !== undefined) {
    const rawAdvice = 'verify the raw request bytes (e.g. express.raw({ type: "*/*" }), or read the body before any JSON parser)';
    for (const [layout, indent] of [
      ['compact', undefined],
      ['pretty-printed with 2 spaces', 2],
      ['pretty-printed with 4 spaces', 4],
      ['pretty-printed with tabs', '\t'],
    ] as const) {
      // Built one at a time: the budget may run out before the next one is worth building.
      const body = JSON.stringify(parsed, null, indent);
      if (body === text) continue;
      yield {
        cause: `the signature matches this JSON re-serialized ${layout}: the body was parsed and re-serialized (JSON.stringify(JSON.parse(body))) somewhere between sender and verifier — ${rawAdvice}`,
        input: withBody(body),
      };
    }
  }
}

const ENCODING_ADVICE: Record<KeyEncoding, string> = {
  utf8: 'the secret string used as-is (UTF-8), the way Stripe, GitHub, Slack and Shopify use it',
  base64: 'the secret base64-decoded after its whsec_ prefix, the way Standard Webhooks and Svix use it',
  hex: 'the secret hex-decoded',
};

function* secretSuspects(scheme: Scheme, input: VerifyInput): Generator<Suspect> {
  for (const encoding of ['utf8', 'base64', 'hex'] as const) {
    if (encoding === scheme.keyEncoding) continue;
    yield {
      cause: `the signature matches ${ENCODING_ADVICE[encoding]}, but ${scheme.title} uses ${ENCODING_ADVICE[scheme.keyEncoding].replace(/, the way.*$/, '')}: the sender treats the secret as another provider's format`,
      input: { ...input, keyEncoding: encoding },
    };
  }
  const trimmed = input.secrets.map((secret) => secret.trim());
  if (trimmed.some((secret, i) => secret !== input.secrets[i])) {
    yield { cause: 'the signature matches the secret without its surrounding whitespace: the secret has a trailing newline or spaces (common with secret files and copy-paste)', input: { ...input, secrets: trimmed } };
  }
  const unprefixed = input.secrets.map((secret) => secret.replace(/^whsec_/, ''));
  if (unprefixed.some((secret, i) => secret !== input.secrets[i])) {
    yield { cause: 'the signature matches the secret without its whsec_ prefix: one side strips the prefix and the other does not', input: { ...input, secrets: unprefixed, keyEncoding: 'utf8' } };
  }
}

function urlSuspects(input: VerifyInput): Suspect[] {
  if (!input.url) return [];
  const variants: Array<[string, string]> = [];
  const url = input.url;
  if (url.startsWith('http://')) variants.push([`https://${url.slice(7)}`, 'the signature matches the https:// form of the URL: behind a tunnel or proxy, verify against the public URL the provider called']);
  if (url.startsWith('https://')) variants.push([`http://${url.slice(8)}`, 'the signature matches the http:// form of the URL: the provider called an http URL']);
  const [path, query] = url.split('?', 2) as [string, string | undefined];
  const toggled = path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
  variants.push([query === undefined ? toggled : `${toggled}?${query}`, 'the signature matches the URL with a different trailing slash: verify against the exact URL configured at the provider']);
  return variants.map(([variant, cause]) => ({ cause, input: { ...input, url: variant } }));
}

/**
 * Diagnosis re-verifies the request once per suspect, and re-serializes JSON bodies: for a large
 * body tens of times the work of the verification itself (a forged 0.5 MB JSON delivery cost
 * 23 ms against 0.4 ms to refuse it; a forged Twilio form re-parses per suspect). A listener
 * flooded with forgeries must not spend its CPU explaining them, so diagnosis runs on a
 * per-process budget of measured time: a burst of 200 ms, refilled at 20 ms a second (2% of one
 * core). Diagnosis runs on the event loop and blocks it, so the time it takes is the CPU it
 * costs the listener; charging the clock (not a guess from the body's size) holds for any
 * scheme and any shape. It stops between suspects once the budget is spent, so it overdraws by
 * at most one suspect. One `hookctl verify`, or a developer's occasional mismatch, never
 * notices; under a flood the surplus refusals are simply not diagnosed.
 */
export const DIAGNOSIS_BURST_MS = 200;
export const DIAGNOSIS_MS_PER_SECOND = 20;
let diagnosisBudgetMs = DIAGNOSIS_BURST_MS;
let diagnosisBudgetAt = performance.now();

/** The diagnosis time available now, after the refill since the last look. */
function availableDiagnosisMs(now: number): number {
  diagnosisBudgetMs = Math.min(DIAGNOSIS_BURST_MS, diagnosisBudgetMs + ((now - diagnosisBudgetAt) / 1000) * DIAGNOSIS_MS_PER_SECOND);
  diagnosisBudgetAt = now;
  return diagnosisBudgetMs;
}

/**
 * On a signature mismatch, tries the usual causes one at a time and names the first that makes
 * the signature verify. Returns null when none does (then the secret is simply wrong, or the body
 * was changed in a way we cannot guess), or when the diagnosis budget is spent.
 */
export function diagnoseMismatch(scheme: Scheme, input: VerifyInput): string | null {
  const started = performance.now();
  const available = availableDiagnosisMs(started);
  if (available <= 0) return null;
  const deadline = started + available;
  try {
    for (const suspects of [bodySuspects(input), secretSuspects(scheme, input), urlSuspects(input)]) {
      for (const suspect of suspects) {
        if (performance.now() >= deadline) return null;
        const result = scheme.verify(suspect.input);
        // A stale timestamp is reported only after the signature matched, so it counts as a match here.
        if (result.verified || result.reason === 'timestamp_outside_tolerance' || (result.reason === 'missing_header' && result.secretIndex !== undefined)) {
          return suspect.cause;
        }
      }
    }
    return emptyBodyHint(input.body);
  } finally {
    const now = performance.now();
    diagnosisBudgetMs -= now - started;
    diagnosisBudgetAt = now;
  }
}

/**
 * No variant verified, but an empty or `{}` body is itself the usual symptom: a body parser ran
 * first and the handler signed/verified what it left behind. A guess, so worded as one.
 */
function emptyBodyHint(body: Uint8Array): string | null {
  if (body.length === 0) {
    return 'the body is empty: probably a body parser consumed the request stream before verification (read the raw bytes first, e.g. express.raw({ type: "*/*" }))';
  }
  if (body.length === 2 && body[0] === 0x7b && body[1] === 0x7d) {
    return 'the body is "{}": probably a JSON parser ran before verification and the handler re-serialized its (empty) result, e.g. express.raw() with a type that did not match the request, then JSON.stringify(req.body) — verify the raw request bytes';
  }
  return null;
}

/** Verifies and, on a mismatch, attaches the diagnosis. */
export function verifyAndDiagnose(scheme: Scheme, input: VerifyInput) {
  const result = scheme.verify(input);
  if (result.reason === 'signature_mismatch') result.diagnosis = diagnoseMismatch(scheme, input);
  return result;
}
