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
export type ForwardedAs = 'verified' | 're-signed' | 'passed on';

/** Re-signed with a forward secret, else verified at the listener, else passed on as they came. */
export function forwardedAs(reSigned: boolean, verified: boolean | null): ForwardedAs {
  return reSigned ? 're-signed' : verified === true ? 'verified' : 'passed on';
}

/**
 * The hint for a refused forward, or undefined when the answer does not look like a failed
 * signature check. `how` says what hookctl knows of those bytes ("verified", "re-signed").
 */
export function refusalHint(answer: AppAnswer, how: ForwardedAs): string | undefined {
  if (!looksLikeSignatureFailure(answer)) return undefined;
  const framework = FRAMEWORKS.find((candidate) => candidate.matches(answer));
  const cause =
    how === 'verified'
      ? `hookctl verified these exact bytes; your app is probably verifying a parsed, re-serialized body`
      : how === 're-signed'
        ? `hookctl signed these exact bytes with --forward-secret; your app is verifying a parsed body or with another secret`
        : `hookctl passed the bytes on unchanged; if your app verifies a parsed body, it re-serialized it`;
  const recipe = framework ? `${framework.name}: ${framework.recipe}` : 'verify the raw request bytes before any JSON parser touches them';
  return `${cause} — ${recipe}; to see what changed, save the body your app verified and run hookctl verify --fixture <the capture> --file <that body>`;
}

/**
 * The app's side of a forward attempt it refused: its answer, and the hint when that reads like a
 * failed signature check. Nothing for an attempt that was delivered or got no answer.
 */
export function appSide(attempt: Attempt | undefined, how: ForwardedAs): { app?: AppAnswer; hint?: string } {
  if (!attempt || attempt.status === null || isDelivered(attempt.status)) return {};
  const app: AppAnswer = { status: attempt.status, headers: attempt.responseHeaders ?? {}, body: attempt.responseSnippet ?? '' };
  const hint = refusalHint(app, how);
  return hint ? { app, hint } : { app };
}
