/**
 * Talking to the inspector's server. The access token arrives in the URL's fragment (never sent
 * to a server), is kept for this tab, and goes with every API call as a header.
 */
const STORAGE_KEY = 'hookctl-inspector-token';

function readToken(): string | null {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get('token');
  if (token) {
    sessionStorage.setItem(STORAGE_KEY, token);
    // Out of the address bar, so it is not in screenshots or copied along with the URL.
    history.replaceState(null, '', location.pathname + location.search);
    return token;
  }
  return sessionStorage.getItem(STORAGE_KEY);
}

const token = readToken();

export function hasToken(): boolean {
  return token !== null;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(path, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-hookctl-token': token ?? '' } });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = (await response.json()) as { error?: string };
      if (body.error) message = body.error;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(message, response.status);
  }
  return response;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await call(path)).json() as Promise<T>;
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return (await call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<T>;
}

/** Fetches a download and hands it to the browser as a file. */
export async function download(path: string): Promise<string> {
  const response = await call(path);
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'delivery.json';
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}

export interface ChangeEvent {
  total: number;
  updated: number[];
  indexing: { done: number; total: number } | null;
}

/** Server-sent events; EventSource reconnects by itself. Returns a function that stops it. */
export function openEvents(handlers: { change(event: ChangeEvent): void; connected(on: boolean): void }): () => void {
  const source = new EventSource(`/api/events?token=${encodeURIComponent(token ?? '')}`);
  source.addEventListener('hello', () => handlers.connected(true));
  source.addEventListener('change', (event) => handlers.change(JSON.parse((event as MessageEvent<string>).data) as ChangeEvent));
  source.addEventListener('error', () => handlers.connected(false));
  return () => source.close();
}
