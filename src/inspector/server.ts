/**
 * The inspector's HTTP server: the static page, a JSON API over the delivery store, and
 * server-sent events as deliveries arrive. Loopback only unless told otherwise; every request's
 * Host is checked (DNS rebinding), every API call needs the per-run token (handed to the page in
 * the URL's fragment, which never reaches a server log), and actions are POSTs whose Origin must be
 * this page. Answers carry a strict CSP and never a secret.
 */
import { bind } from '../listen/bind.js';
import { displayUrl } from '../text/url.js';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ActionError, curlFor, fixtureFor, replay, type ReplayAsk } from './actions.js';
import { assetsDir, inlineHashes, loadAssets } from './assets.js';
import { hostChecker, hostForUrl } from './hosts.js';
import { SecretScrubber } from './scrub.js';
import { MAX_PAGE, STATE_FILTERS, type DeliveryStore, type StoreEvent } from './store.js';
import { PAGE_ROWS, type BodyView, type DeliveryDetail, type InfoView, type ListQuery, type StateFilter } from './types.js';
import { verificationView, type VerificationSettings } from './verification.js';
import { SCHEME_NAMES } from '../schemes/names.js';
import { failure } from '../errors.js';

export const DEFAULT_UI_PORT = 8788;

/** An action taken from the page, for the terminal's record of what the inspector sent. */
export interface ActionEvent {
  action: 'replay' | 'curl' | 'fixture';
  seq: number;
  id: string;
  to: string | null;
  mode: 'resign' | 'as-is' | null;
  edited: boolean;
  ok: boolean;
  status: number | null;
  ms: number | null;
  error: string | null;
}

export interface InspectorOptions {
  store: DeliveryStore;
  settings: VerificationSettings;
  /** 127.0.0.1 unless the user asked (`--ui-host`). */
  host?: string;
  /** Default 8788; 0 picks a free port. */
  port?: number;
  /** When the default port is taken, use a free one instead of failing. */
  portFallback?: boolean;
  /** `inspect`: saved captures; `listen`: a live listener. */
  mode: 'inspect' | 'listen';
  /** One line for the page's header: the listener URL, or what is being inspected. */
  subject: string;
  /** Where replays go unless the page says otherwise (the forward target, or --to). */
  defaultTarget?: string | null;
  /** The default target has no path: each delivery is replayed to its own path there (`listen --forward-to` without a path). */
  defaultTargetKeepsPath?: boolean;
  onAction?(event: ActionEvent): void;
  /** The built page; default: found beside this module or in the package's dist. */
  assetsDir?: string;
  version?: string;
}

export interface InspectorHandle {
  /** The page's URL, with the access token in its fragment. */
  url: string;
  /** scheme://host:port, no token. */
  origin: string;
  host: string;
  port: number;
  token: string;
  /** Stops serving and ends the event streams; idempotent. */
  close(): Promise<void>;
}

/** The page's scripts and stylesheet are inline: allowed by their hashes, nothing else runs. */
function contentSecurityPolicy(inline: { scripts: string[]; styles: string[] }): string {
  return [
    "default-src 'none'",
    `script-src ${inline.scripts.join(' ') || "'none'"}`,
    `style-src ${inline.styles.join(' ') || "'none'"}`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** Bodies larger than this are cut in the detail view (the fixture download has all of it). */
const MAX_SHOWN_BODY = 2 * 1024 * 1024;
/** An edited delivery posted back by the page. */
const MAX_ACTION_BODY = 8 * 1024 * 1024;
/** SSE changes are sent at most this often: a busy listener must not flood the page. */
const EVENT_INTERVAL_MS = 100;
/** While more than BUSY_ROWS keep arriving between two, once a second (the page then refreshes once a second too). */
const BUSY_EVENT_INTERVAL_MS = 1000;
const BUSY_ROWS = 50;
const HEARTBEAT_MS = 15_000;
const WARM_DELAY_MS = 300;

const UNFILTERED: ListQuery = { state: 'all', scheme: null, type: null, path: null, q: null };

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function listQuery(params: URLSearchParams): ListQuery {
  const state = (params.get('state') ?? 'all') as StateFilter;
  if (!STATE_FILTERS.includes(state)) throw new HttpError(400, `state must be one of ${STATE_FILTERS.join(', ')}`);
  const text = (name: string) => {
    const value = params.get(name)?.trim();
    return value ? value.slice(0, 500) : null;
  };
  return { state, scheme: text('scheme'), type: text('type'), path: text('path'), q: text('q') };
}

function tokenMatches(given: string | null | undefined, token: Buffer): boolean {
  if (!given) return false;
  const bytes = Buffer.from(given, 'utf8');
  return bytes.length === token.length && timingSafeEqual(bytes, token);
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, 'send JSON (Content-Type: application/json)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_ACTION_BODY) throw new HttpError(413, `the request is larger than ${MAX_ACTION_BODY / 1024 / 1024} MiB`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the request body is not JSON');
  }
}

function bodyView(body: Buffer, scrubber: SecretScrubber): BodyView {
  const shown = body.length > MAX_SHOWN_BODY ? body.subarray(0, MAX_SHOWN_BODY) : body;
  const text = shown.toString('utf8');
  const utf8 = Buffer.from(text, 'utf8').equals(shown);
  return { encoding: utf8 ? 'utf8' : 'base64', data: utf8 ? text : shown.toString('base64'), bytes: body.length, truncated: shown !== body, redacted: scrubber.contains(body) };
}

export async function startInspector(options: InspectorOptions): Promise<InspectorHandle> {
  const dir = options.assetsDir ?? assetsDir();
  if (!dir) throw new Error("the inspector's page is not built: run npm run build");
  const assets = await loadAssets(dir);
  const csp = contentSecurityPolicy(inlineHashes(assets.get('/')?.body.toString('utf8') ?? ''));
  const { store, settings } = options;
  const host = options.host ?? '127.0.0.1';
  const token = randomBytes(24).toString('base64url');
  const tokenBytes = Buffer.from(token, 'utf8');
  const scrubber = new SecretScrubber(settings.secrets);
  const streams = new Set<ServerResponse>();
  let allowedHost: (value: string | undefined) => boolean = () => false;

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'content-security-policy': csp, 'content-type': type, 'content-length': Buffer.byteLength(body), ...extra });
    res.end(body);
  };
  const sendJson = (res: ServerResponse, status: number, value: unknown) => send(res, status, 'application/json; charset=utf-8', scrubber.json(value));

  const info = (): InfoView => ({
    mode: options.mode,
    subject: options.subject,
    version: options.version ?? null,
    canSign: settings.secrets.length > 0,
    secretCount: settings.secrets.length,
    scheme: settings.scheme,
    schemes: SCHEME_NAMES,
    // Shown without its password; a replay to it is sent to the real URL (realTarget).
    defaultTarget: options.defaultTarget ? displayUrl(options.defaultTarget) : null,
    defaultTargetKeepsPath: options.defaultTargetKeepsPath ?? false,
    toleranceSeconds: settings.toleranceSeconds,
    total: store.total,
    indexing: store.indexing(),
  });

  async function delivery(seq: number) {
    let loaded;
    try {
      loaded = await store.load(seq);
    } catch (error) {
      throw new HttpError(422, error instanceof Error ? error.message : String(error));
    }
    if (!loaded) throw new HttpError(404, `no delivery #${seq}`);
    return loaded;
  }

  async function detail(seq: number): Promise<DeliveryDetail> {
    const loaded = await delivery(seq);
    return {
      summary: loaded.summary,
      headers: Object.entries(loaded.record.headers),
      body: loaded.body ? bodyView(loaded.body, scrubber) : null,
      bodyMissing: loaded.bodyMissing,
      verification: verificationView(loaded, settings),
      forwardAttempts: loaded.forwardAttempts,
    };
  }

  function replayAsk(value: unknown): ReplayAsk {
    if (value === null || typeof value !== 'object') throw new HttpError(400, 'expected {"to": URL, "mode": "resign"|"as-is"}');
    const { to, mode, edit } = value as Record<string, unknown>;
    if (mode !== 'resign' && mode !== 'as-is') throw new HttpError(400, 'mode must be "resign" or "as-is"');
    return { to: realTarget(to as string), mode, ...(edit !== undefined && edit !== null ? { edit: edit as ReplayAsk['edit'] & object } : {}) };
  }

  /** The page knows the forward target without its password: a replay to it goes to the real one. */
  function realTarget(to: string): string {
    const real = options.defaultTarget;
    if (typeof to !== 'string' || !real) return to;
    const authority = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(real)?.[0] ?? '';
    const shown = displayUrl(authority);
    return shown !== authority && to.startsWith(shown) ? authority + to.slice(shown.length) : to;
  }

  const report = (event: ActionEvent) => {
    try {
      options.onAction?.(event);
    } catch {
      // A renderer's problem must not fail the action.
    }
  };

  async function action(seq: number, name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ask = replayAsk(await readJsonBody(req));
    const loaded = await delivery(seq);
    const base = { seq, id: loaded.summary.id, to: ask.to ? displayUrl(ask.to) : null, mode: ask.mode, edited: Boolean(ask.edit) };
    if (name === 'replay') {
      const outcome = await replay(loaded, ask, settings);
      report({ action: 'replay', ...base, to: displayUrl(outcome.sent.url), ok: outcome.ok, status: outcome.status, ms: outcome.ms, error: outcome.error });
      sendJson(res, 200, outcome);
      return;
    }
    if (name === 'curl') {
      const { command, body } = curlFor(loaded, ask, settings);
      // A secret in the body, a header or the URL would end up on the page and the clipboard.
      if (scrubber.contains(body) || scrubber.contains(Buffer.from(command))) throw new ActionError('the request holds a configured secret: hookctl will not put it in a command', 409);
      report({ action: 'curl', ...base, ok: true, status: null, ms: null, error: null });
      sendJson(res, 200, { command });
      return;
    }
    throw new HttpError(404, 'no such action');
  }

  function fixture(seq: number, res: ServerResponse, loaded: Awaited<ReturnType<typeof delivery>>): void {
    if (loaded.body && scrubber.contains(loaded.body)) throw new ActionError('the body holds a configured secret: hookctl will not put it in a download', 409);
    const file = fixtureFor(loaded);
    if (scrubber.contains(Buffer.from(file.text))) throw new ActionError('the delivery holds a configured secret: hookctl will not put it in a download', 409);
    report({ action: 'fixture', seq, id: loaded.summary.id, to: null, mode: null, edited: false, ok: true, status: null, ms: null, error: null });
    send(res, 200, 'application/json; charset=utf-8', file.text, { 'content-disposition': `attachment; filename="${file.name}"` });
  }

  function openStream(res: ServerResponse): void {
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-security-policy': csp, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(`retry: 1000\nevent: hello\ndata: ${scrubber.json({ total: store.total, indexing: store.indexing() })}\n\n`);
    streams.add(res);
    res.on('close', () => streams.delete(res));
  }

  // Changes are gathered and sent together, at most every EVENT_INTERVAL_MS.
  let pending: { total: number | undefined; updated: Set<number>; indexing: { done: number; total: number } | null | undefined } = { total: undefined, updated: new Set(), indexing: undefined };
  let flushTimer: NodeJS.Timeout | undefined;
  let sentTotal = store.total;
  /** Busy sends in a row: a burst is sent at once, a stream that keeps it up once a second. */
  let busySends = 0;
  const flush = () => {
    flushTimer = undefined;
    const change = { total: pending.total ?? store.total, updated: [...pending.updated], indexing: pending.indexing === undefined ? store.indexing() : pending.indexing };
    busySends = change.total - sentTotal > BUSY_ROWS ? busySends + 1 : 0;
    sentTotal = change.total;
    pending = { total: undefined, updated: new Set(), indexing: undefined };
    const frame = `event: change\ndata: ${scrubber.json(change)}\n\n`;
    for (const stream of streams) stream.write(frame);
  };
  // Every summary is read in the background so filters are instant, but only once the first page
  // has been served: what the person opening the URL waits for must not queue behind it.
  let warmTimer: NodeJS.Timeout | undefined;
  const warmSoon = () => {
    if (warmTimer) return;
    warmTimer = setTimeout(() => void store.warm().catch(() => {}), WARM_DELAY_MS);
    warmTimer.unref();
  };

  const unsubscribe = store.subscribe((event: StoreEvent) => {
    if (event.kind === 'grew') pending.total = event.total;
    else if (event.kind === 'updated') pending.updated.add(event.seq);
    // The last progress event says all is read: the page hides its progress.
    else pending.indexing = event.done >= event.total ? null : { done: event.done, total: event.total };
    if (streams.size > 0) flushTimer ??= setTimeout(flush, busySends > 1 ? BUSY_EVENT_INTERVAL_MS : EVENT_INTERVAL_MS);
    else {
      // Nobody is watching: nothing to send later.
      pending.total = undefined;
      pending.indexing = undefined;
      pending.updated.clear();
    }
  });
  const heartbeat = setInterval(() => {
    for (const stream of streams) stream.write(': still here\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHost(req.headers.host)) throw new HttpError(403, 'hookctl inspector: this Host is not served here (open the URL hookctl printed)');
    const url = new URL(req.url ?? '/', 'http://inspector.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';

    if (!path.startsWith('/api/')) {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method not allowed');
      const asset = assets.get(path === '/index.html' ? '/' : path);
      if (!asset) throw new HttpError(404, 'not found');
      send(res, 200, asset.type, method === 'HEAD' ? '' : asset.body);
      return;
    }

    // A browser says where a request comes from; anything not from this page is refused.
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new HttpError(403, 'cross-site requests are refused');
    const given = path === '/api/events' ? url.searchParams.get('token') : (req.headers['x-hookctl-token'] as string | undefined);
    if (!tokenMatches(given, tokenBytes)) throw new HttpError(401, 'missing or wrong access token: open the URL hookctl printed');

    if (method === 'POST') {
      const origin = req.headers.origin;
      if (origin !== `http://${req.headers.host}`) throw new HttpError(403, 'the request does not come from the inspector page (Origin)');
    } else if (method !== 'GET') throw new HttpError(405, 'method not allowed');

    if (path === '/api/info' && method === 'GET') return sendJson(res, 200, info());
    if (path === '/api/events' && method === 'GET') return openStream(res);
    if (path === '/api/deliveries' && method === 'GET') {
      const offsetText = url.searchParams.get('offset') ?? 'tail';
      const offset = offsetText === 'tail' ? 'tail' : Math.max(0, Number.parseInt(offsetText, 10) || 0);
      const limit = Math.min(MAX_PAGE, Math.max(1, Number.parseInt(url.searchParams.get('limit') ?? String(PAGE_ROWS), 10) || PAGE_ROWS));
      sendJson(res, 200, await store.page(listQuery(url.searchParams), offset, limit));
      warmSoon();
      return;
    }
    const match = /^\/api\/deliveries\/(\d{1,12})(?:\/(replay|curl|fixture))?$/.exec(path);
    if (match) {
      const seq = Number(match[1]);
      const name = match[2];
      if (!name && method === 'GET') return sendJson(res, 200, await detail(seq));
      if (name === 'fixture' && method === 'GET') return fixture(seq, res, await delivery(seq));
      if ((name === 'replay' || name === 'curl') && method === 'POST') return action(seq, name, req, res);
    }
    throw new HttpError(404, 'no such API');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError || error instanceof ActionError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      let body: string;
      try {
        body = scrubber.json({ error: message });
      } catch {
        body = '{"error":"an error that cannot be shown safely"}';
      }
      send(res, status, 'application/json; charset=utf-8', body);
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;

  // The first thing a person opening the URL waits for, read (and its answer's code run once)
  // before the URL is given out: the first request is then as quick as the later ones.
  try {
    scrubber.json(await store.page(UNFILTERED, 'tail', PAGE_ROWS));
  } catch {
    // The request itself will say what is wrong.
  }

  const wanted = options.port ?? DEFAULT_UI_PORT;
  try {
    try {
      await bind(server, wanted, host);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !options.portFallback || wanted === 0) throw error;
      // The default port is taken (another inspector, say): any free one will do.
      await bind(server, 0, host);
    }
  } catch (error) {
    unsubscribe();
    clearInterval(heartbeat);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw failure(`--ui-port: ${wanted} is already in use on ${host} (pick another, or --ui-port 0 for a free one)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw failure(`--ui-host: cannot listen on ${host} (${code})`);
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  allowedHost = hostChecker(host, port);
  const origin = `http://${hostForUrl(host, port)}`;

  let closing: Promise<void> | undefined;
  return {
    url: `${origin}/#token=${token}`,
    origin,
    host,
    port,
    token,
    close() {
      closing ??= (async () => {
        unsubscribe();
        clearInterval(heartbeat);
        clearTimeout(warmTimer);
        if (flushTimer) clearTimeout(flushTimer);
        for (const stream of streams) stream.end();
        streams.clear();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
