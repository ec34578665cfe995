/**
 * Reading the app's side of a refused forward: what it answered, and — when the answer looks like
 * a failed signature check on bytes hookctl verified (or signed) itself — the likely cause and the
 * raw-body recipe for the framework the answer names. Shared by the listener's forwards and the
 * queue worker's, so a refusal reads the same whichever way the delivery took.
 */
import type { Attempt } from './deliver.js';
import { isDelivered } from './retry-after.js';

/** What the app answered to a forward it did not accept. */
export interface AppAnswer {
  status: number;
  /** Headers that tell what answered (content type, server, framework, auth challenge). */
  headers: Record<string, string>;
  /** The start of its body. */
  body: string;
}

const SIGNATURE_WORDS = /signature|signing secret|hmac|webhook secret|\bverif(?:y|ied|ication)\b|raw (?:request )?body|no signatures found|x-hub-signature|stripe-signature|webhook-signature|svix|twilio request validation/i;

/** A 400/401/403 whose words are about signatures: the app checked one, and it failed. */
export function looksLikeSignatureFailure(answer: AppAnswer): boolean {
  if (answer.status !== 400 && answer.status !== 401 && answer.status !== 403) return false;
  return SIGNATURE_WORDS.test(answer.body) || /signature|hmac/i.test(answer.headers['www-authenticate'] ?? '');
}

interface Framework {
  name: string;
  /** Recognises the framework from the answer's headers and body. */
  matches(answer: AppAnswer): boolean;
  recipe: string;
}

const header = (answer: AppAnswer, name: string) => answer.headers[name] ?? '';

/** Most specific first: a Next.js app also runs on Node, Flask on Werkzeug behind gunicorn. */
const FRAMEWORKS: Framework[] = [
  {
    name: 'Next.js',
    matches: (a) => /next\.js/i.test(header(a, 'x-powered-by')),
    recipe: 'in a route handler read `await request.text()` and verify that string before JSON.parse; in pages/api add `export const config = { api: { bodyParser: false } }` and read the raw stream',
  },
  {
    name: 'Express',
    matches: (a) => /express/i.test(header(a, 'x-powered-by')),
    recipe: 'mount `express.raw({ type: "*/*" })` on the webhook route, before `app.use(express.json())` runs for it, and verify `req.body` (a Buffer)',
  },
  {
    name: 'Fastify',
    matches: (a) => /fastify/i.test(header(a, 'x-powered-by') + header(a, 'server')) || /^\{"statusCode":\d{3},"(?:code|error)"/.test(a.body),
    recipe: 'register `fastify.addContentTypeParser("application/json", { parseAs: "buffer" }, (req, body, done) => done(null, body))` (or the fastify-raw-body plugin) and verify the Buffer',
  },
  {
    name: 'ASP.NET Core',
    matches: (a) => /asp\.net/i.test(header(a, 'x-powered-by')) || /kestrel/i.test(header(a, 'server')),
    recipe: 'read `Request.Body` into a string (after `Request.EnableBuffering()`) and verify that, not a model bound with [FromBody]',
  },
  {
    name: 'FastAPI/Starlette',
    matches: (a) => /uvicorn|hypercorn/i.test(header(a, 'server')),
    recipe: 'verify `await request.body()`, not the model FastAPI parsed',
  },
  {
    name: 'Flask',
    matches: (a) => /werkzeug/i.test(header(a, 'server')),
    recipe: 'verify `request.get_data()`, not `request.json` re-dumped',
  },
  {
    name: 'Rails',
    matches: (a) => /puma|passenger|unicorn/i.test(header(a, 'server')) || header(a, 'x-runtime') !== '',
    recipe: 'verify `request.raw_post`, not `params` re-serialized',
  },
  {
    name: 'PHP',
    matches: (a) => /php/i.test(header(a, 'x-powered-by')),
    recipe: "verify `file_get_contents('php://input')`, not `json_encode` of the decoded body",
  },
  {
    name: 'Django',
    matches: (a) => /csrf|django/i.test(a.body) || /gunicorn/i.test(header(a, 'server')),
    recipe: 'verify `request.body` (bytes), not json.loads/json.dumps of it (and exempt the view from CSRF)',
  },
];

/** What hookctl knows of the bytes it forwarded: the hint's likely cause depends on it. */
export type ForwardedAs = 'verified' | 're-signed' | 'passed on' | 'signed';

/** Re-signed with a forward secret, else verified at the listener, else passed on as they came. */
export function forwardedAs(reSigned: boolean, verified: boolean | null): ForwardedAs {
  return reSigned ? 're-signed' : verified === true ? 'verified' : 'passed on';
}

/** What was sent to the app: the hint reads the content type and whether re-serializing the body would change it. */
export interface SentRequest {
  headers: Record<string, string>;
  body: Uint8Array;
}

/** The app's library got an object, not the bytes: a parsed body, whatever the secret (stripe-node, @octokit/webhooks-methods, svix/standardwebhooks wording). */
const PARSED_WORDS = /must be provided as a string or a buffer|provided as a parsed javascript object|payload must be a string|expected payload to be of type string|must be of type string or (?:an instance of )?buffer|\[object object\]/i;
/** The receiver cannot use its own secret or key (hookctl listen's bad_secret_format, a key of the wrong kind): the bytes were never checked. */
const OWN_KEY_WORDS = /bad_secret_format|(?:public|private) key is an? [\w-]+ key, and this scheme needs/i;
/** The signed timestamp is outside the app's tolerance (svix/standardwebhooks, stripe-node, slack). */
const TIMESTAMP_WORDS = /timestamp (?:too (?:old|new)|outside the tolerance)|request is too old|stale/i;

function headerOf(headers: Record<string, string>, name: string): string {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return '';
}

/** A form post signed the Twilio way (its signature covers the URL and the parameters, not a JSON body). */
function isTwilio(answer: AppAnswer, sent: SentRequest | undefined): boolean {
  if (sent && headerOf(sent.headers, 'x-twilio-signature') !== '') return true;
  return /twilio/i.test(answer.body);
}

/** Whether parsing the body and serializing it again gives other bytes: only then can a parsed body explain a mismatch. */
function reSerializingChanges(sent: SentRequest | undefined): boolean {
  if (!sent) return true;
  const type = headerOf(sent.headers, 'content-type').toLowerCase();
  if (type !== '' && !type.includes('json')) return true;
  const text = Buffer.from(sent.body).toString('utf8');
  try {
    return JSON.stringify(JSON.parse(text)) !== text;
  } catch {
    return true;
  }
}

/**
 * The hint for a refused forward, or undefined when the answer does not look like a failed
 * signature check. hookctl knows the bytes it sent were signed right (`how`: it verified them
 * with the listener's secret, or signed them itself), so the causes left are on the app's side: a
 * different secret, or a body parsed and serialized again before it was verified. Both are said,
 * most likely first, read from the app's words (a library that got an object says so), from
 * whether re-serializing these bytes would change them at all, and from the scheme (a Twilio form
 * post is validated against its URL, never a JSON body).
 */
export function refusalHint(answer: AppAnswer, how: ForwardedAs, sent?: SentRequest): string | undefined {
  if (!looksLikeSignatureFailure(answer) && !PARSED_WORDS.test(answer.body)) return undefined;
  if (OWN_KEY_WORDS.test(answer.body)) return 'the receiver cannot use the secret or key it holds (its answer says why), so it never checked these bytes: give it a secret or key of the kind this scheme takes';
  const lead =
    how === 'verified'
      ? "hookctl verified these exact bytes with the listener's secret"
      : how === 're-signed'
        ? 'hookctl signed these exact bytes with --forward-secret'
        : how === 'signed'
          ? 'hookctl signed these exact bytes with the --secret given'
          : 'hookctl passed the bytes on unchanged (it did not verify them: no --secret)';
  const secret =
    how === 're-signed'
      ? 'your app holds a different secret than --forward-secret'
      : how === 'verified'
        ? "your app holds a different secret than the listener's --secret (compare the two)"
        : how === 'signed'
          ? 'your app holds a different secret than --secret (compare the two)'
          : 'your app holds a different secret than the one the sender signed with';
  if (isTwilio(answer, sent)) {
    return `${lead}; most likely ${secret.replace('secret', 'auth token')}; otherwise your app validates the signature for another URL than the one called (behind a proxy or tunnel it must use the public URL, https and host as Twilio posts to)`;
  }
  const framework = FRAMEWORKS.find((candidate) => candidate.matches(answer));
  const recipe = framework ? `${framework.name}: ${framework.recipe}` : 'verify the raw request bytes before any parser touches them';
  const parsed = `your app verifies a parsed, re-serialized body (${recipe}; to see what changed, save the body your app verified and run hookctl verify --fixture <the capture> --file <that body>)`;
  if (PARSED_WORDS.test(answer.body)) return `${lead}, and your app's library says it was given a parsed object, not the bytes: ${parsed}`;
  const timestamp = TIMESTAMP_WORDS.test(answer.body) ? 'the signed timestamp is older than your app allows (re-sign on the way with --forward-secret, which signs with a fresh timestamp); or ' : '';
  if (!reSerializingChanges(sent)) return `${lead}, and parsing and serializing this body again gives the same bytes, so ${timestamp}${secret}`;
  return `${lead}; most likely ${timestamp}${secret}; otherwise ${parsed}`;
}

/**
 * The app's side of a forward attempt it refused: its answer, and the hint when that reads like a
 * failed signature check. Nothing for an attempt that was delivered or got no answer.
 */
export function appSide(attempt: Attempt | undefined, how: ForwardedAs, sent?: SentRequest): { app?: AppAnswer; hint?: string } {
  if (!attempt || attempt.status === null || isDelivered(attempt.status)) return {};
  const app: AppAnswer = { status: attempt.status, headers: attempt.responseHeaders ?? {}, body: attempt.responseSnippet ?? '' };
  const hint = refusalHint(app, how, sent);
  return hint ? { app, hint } : { app };
}
