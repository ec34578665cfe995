import { jsonBody } from './common.js';
import { describeJsonChanges, escapeNonAscii, jsonChanges, jsonTokens, roundedIntegers, SERIALIZERS } from './json-changes.js';
import type { KeyEncoding, Scheme, VerifyInput } from './types.js';
import { printable } from '../text/printable.js';

/** Bodies larger than this are not re-serialized for diagnosis: it would cost more than it tells. */
const MAX_DIAGNOSED_BODY = 1024 * 1024;
/**
 * Bodies larger than this are not re-written token by token (other languages' serializers, rounded
 * integers): tokenizing and writing 400 KB took 280 ms, more than the whole budget, in one step
 * the budget cannot interrupt. Webhook bodies are far smaller.
 */
const MAX_TOKENIZED_BODY = 128 * 1024;

/** What the diagnosis found. */
export interface Diagnosis {
  /** The likely cause, one sentence for people. */
  cause: string;
  /** The body the signature matches, when the cause is a change to the body: what the sender signed, for showing the difference. */
  signedBody?: Buffer;
}

export interface DiagnoseOptions {
  /**
   * The body as it first arrived (or was sent), when the body being verified is a later copy of
   * it: what an app says it verified, against the capture hookctl holds. Tried first; a match
   * names what changed between the two.
   */
  original?: Uint8Array;
}

interface Suspect {
  /** Built only for the suspect that matched (comparing bodies costs more than a string). */
  cause: string | (() => string);
  input: VerifyInput;
}

const RAW_ADVICE = 'verify the raw request bytes (e.g. express.raw({ type: "*/*" }), or read the body before any JSON parser)';
const LAYOUTS = [
  ['compact', undefined],
  ['pretty-printed with 2 spaces', 2],
  ['pretty-printed with 4 spaces', 4],
  ['pretty-printed with tabs', '\t'],
] as const;

const utf8Text = (body: Uint8Array) => Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  return at;
}

/** The cause when the original body verifies and the copy checked does not: what changed between them. */
function originalCause(original: Uint8Array, body: Uint8Array): string {
  const found = original.length <= MAX_DIAGNOSED_BODY && body.length <= MAX_DIAGNOSED_BODY ? jsonChanges(utf8Text(original), utf8Text(body)) : undefined;
  if (!found) {
    return `the signature matches the original body, not this copy of it: they differ from byte ${firstDifference(original, body)} on (${original.length} bytes arrived, ${body.length} checked) — verify the bytes exactly as they arrived`;
  }
  const list = describeJsonChanges(found) || 'the whitespace between values';
  if (found.changes.some((change) => change.kind === 'content')) {
    return `the signature matches the original body, and this copy differs from it in content, not only in form (${list}): it was changed after it arrived — verify the bytes exactly as they arrived`;
  }
  return `the signature matches the original body, and this copy is that body parsed and re-serialized, which changed ${list}. A re-serialization cannot give the signed bytes back — ${RAW_ADVICE}`;
}

/** The body is exactly what JSON.stringify writes for it, in one of its layouts: it may well be a re-serialization. */
function isStringifyOutput(text: string, parsed: unknown): boolean {
  return parsed !== undefined && LAYOUTS.some(([, indent]) => JSON.stringify(parsed, null, indent) === text);
}

function* bodySuspects(input: VerifyInput, options: DiagnoseOptions): Generator<Suspect> {
  const { original } = options;
  // Bodies, not signatures: no secret is learnt from how long this takes.
  if (original && (original.length !== input.body.length || firstDifference(original, input.body) !== original.length)) {
    yield { cause: () => originalCause(original, input.body), input: { ...input, body: original } };
  }
  const text = Buffer.from(input.body).toString('utf8');
  const withBody = (body: string) => ({ ...input, body: Buffer.from(body, 'utf8') });
  const parsed = input.body.length <= MAX_DIAGNOSED_BODY ? jsonBody(input.body) : undefined;
  if (text.endsWith('\r\n')) {
    yield { cause: 'the signature matches the body without its trailing CRLF: a trailing newline was added to the body', input: withBody(text.slice(0, -2)) };
  } else if (text.endsWith('\n')) {
    yield { cause: 'the signature matches the body without its trailing newline: a newline was added (an editor, echo, or a heredoc adds one)', input: withBody(text.slice(0, -1)) };
  }
  yield {
    // A JSON body in JSON.stringify's own form lost its newline to a re-serialization far more
    // often than to a shell: an app that verifies JSON.stringify(req.body) gets exactly this.
    cause: () =>
      isStringifyOutput(text, parsed)
        ? `the signature matches the body with a trailing newline, and the body is exactly what JSON.stringify writes: it was probably parsed and re-serialized, which drops the newline the sender signed — ${RAW_ADVICE} (if the body was passed by hand, $(cat file) and trim() strip a trailing newline too)`
        : 'the signature matches the body with a trailing newline: the sender signed a newline that was stripped (e.g. by $(cat file) or a trim())',
    input: withBody(`${text}\n`),
  };
  if (text.includes('\r\n')) {
    yield { cause: 'the signature matches the body with LF line endings: CRLFs were introduced (git autocrlf, Windows editor) — keep fixtures byte for byte', input: withBody(text.replace(/\r\n/g, '\n')) };
  } else if (text.includes('\n')) {
    yield { cause: 'the signature matches the body with CRLF line endings: line endings were converted to LF — keep fixtures byte for byte', input: withBody(text.replace(/\n/g, '\r\n')) };
  }
  // Re-serialization last: a smaller edit (one newline) that also explains it is the likelier cause.
  if (parsed === undefined) return;
  const tried = new Set([text, `${text}\n`]);
  const fresh = (body: string) => !tried.has(body) && Boolean(tried.add(body));
  for (const [layout, indent] of LAYOUTS) {
    // Built one at a time: the budget may run out before the next one is worth building.
    const body = JSON.stringify(parsed, null, indent);
    if (!fresh(body)) continue;
    yield {
      cause: `the signature matches this JSON re-serialized ${layout}: the body was parsed and re-serialized (JSON.stringify(JSON.parse(body))) somewhere between sender and verifier — ${RAW_ADVICE}`,
      input: withBody(body),
    };
  }
  // A file signed as saved (editors end it with a newline), then parsed and re-serialized on the way.
  for (const [layout, indent] of LAYOUTS) {
    const body = `${JSON.stringify(parsed, null, indent)}\n`;
    if (!fresh(body)) continue;
    yield {
      cause: `the signature matches this JSON ${layout} with a trailing newline (a file as an editor saves it), and the body was parsed and re-serialized on the way, which changed the layout and dropped the newline — ${RAW_ADVICE}`,
      input: withBody(body),
    };
  }
  // What other languages' serializers write differently from JSON.stringify: escapes. The
  // re-serialization that turned "\u00e9" into "é" cannot be undone from the parsed value, but
  // it can from the text, by writing it the way the sender's serializer did.
  const nonAscii = /[^\x00-\x7e]/u.exec(text)?.[0];
  if (nonAscii !== undefined) {
    const example = `${escapeNonAscii(nonAscii)} for ${printable(nonAscii)}`;
    for (const body of [escapeNonAscii(text), escapeNonAscii(JSON.stringify(parsed, null, 2))]) {
      if (!fresh(body)) continue;
      yield {
        cause: `the signature matches this JSON with its non-ASCII characters escaped (${example}), as Python's json.dumps and PHP's json_encode write them: the body was parsed and re-serialized by something that writes them as they are (JSON.stringify does), a re-serialization that loses the signed bytes — ${RAW_ADVICE}`,
        input: withBody(body),
      };
    }
  }
  const tokens = input.body.length <= MAX_TOKENIZED_BODY ? jsonTokens(text) : undefined;
  if (!tokens) return;
  for (const serializer of SERIALIZERS) {
    if (!serializer.applies.test(text)) continue;
    const body = serializer.write(tokens.tokens);
    if (!fresh(body)) continue;
    yield {
      cause: `the signature matches this JSON as ${serializer.name} writes it: the body was parsed and re-serialized by something that writes it otherwise (JSON.stringify, say), a re-serialization that loses the signed bytes — ${RAW_ADVICE}`,
      input: withBody(body),
    };
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

/**
 * A full budget again. For tests that check what a diagnosis says rather than what it costs: on a
 * loaded machine the clock runs on while the process waits for a core, and spends the budget.
 */
export function refillDiagnosisBudget(): void {
  diagnosisBudgetMs = DIAGNOSIS_BURST_MS;
  diagnosisBudgetAt = performance.now();
}

/** The diagnosis time available now, after the refill since the last look. */
function availableDiagnosisMs(now: number): number {
  diagnosisBudgetMs = Math.min(DIAGNOSIS_BURST_MS, diagnosisBudgetMs + ((now - diagnosisBudgetAt) / 1000) * DIAGNOSIS_MS_PER_SECOND);
  diagnosisBudgetAt = now;
  return diagnosisBudgetMs;
}

/**
 * On a signature mismatch, tries the usual causes one at a time and names the first that makes
 * the signature verify, with the body that did when the cause is in the body. Returns null when
 * none does (then the secret is simply wrong, or the body was changed in a way we cannot guess),
 * or when the diagnosis budget is spent.
 */
export function diagnose(scheme: Scheme, input: VerifyInput, options: DiagnoseOptions = {}): Diagnosis | null {
  const started = performance.now();
  const available = availableDiagnosisMs(started);
  if (available <= 0) return null;
  const deadline = started + available;
  try {
    for (const suspects of [bodySuspects(input, options), secretSuspects(scheme, input), urlSuspects(input)]) {
      for (const suspect of suspects) {
        if (performance.now() >= deadline) return null;
        const result = scheme.verify(suspect.input);
        // A stale timestamp is reported only after the signature matched, so it counts as a match here.
        if (result.verified || result.reason === 'timestamp_outside_tolerance' || (result.reason === 'missing_header' && result.secretIndex !== undefined)) {
          const cause = typeof suspect.cause === 'string' ? suspect.cause : suspect.cause();
          return suspect.input.body === input.body ? { cause } : { cause, signedBody: Buffer.from(suspect.input.body) };
        }
      }
    }
    const hint = emptyBodyHint(input.body) ?? roundedIntegerHint(input.body);
    return hint === null ? null : { cause: hint };
  } finally {
    const now = performance.now();
    diagnosisBudgetMs -= now - started;
    diagnosisBudgetAt = now;
  }
}

/** The likely cause of a mismatch as one sentence, or null; see diagnose(). */
export function diagnoseMismatch(scheme: Scheme, input: VerifyInput, options: DiagnoseOptions = {}): string | null {
  return diagnose(scheme, input, options)?.cause ?? null;
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

/**
 * No variant verified, but the body holds integers beyond 2^53 written the way JSON.stringify
 * writes one that JSON.parse rounded: a lossy round trip nothing can undo. A guess, so worded as one.
 */
function roundedIntegerHint(body: Uint8Array): string | null {
  if (body.length > MAX_TOKENIZED_BODY || jsonBody(body) === undefined) return null;
  const tokens = jsonTokens(utf8Text(body));
  const [first, ...others] = tokens ? roundedIntegers(tokens) : [];
  if (!first) return null;
  const also = others.length ? ` (and ${others.length} more)` : '';
  return `no usual change reproduces the signature, and the body holds ${first.raw} at ${first.path}${also}: an integer beyond 2^53, written the way JSON.stringify writes a number JSON.parse rounded. If the secret is right, the body was parsed and re-serialized on the way, which changed those digits and cannot be undone — ${RAW_ADVICE}`;
}

/** Verifies and, on a mismatch, attaches the diagnosis. */
export function verifyAndDiagnose(scheme: Scheme, input: VerifyInput, options: DiagnoseOptions = {}) {
  const result = scheme.verify(input);
  if (result.reason === 'signature_mismatch') result.diagnosis = diagnoseMismatch(scheme, input, options);
  return result;
}
