/**
 * The relay's admin API (`hookctl relay channel …`, `relay status|dead|requeue`), behind the admin
 * token. A subscribe token is returned only by the call that made it; the store keeps its hash.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from './http.js';
import type { ChannelInfo, RespondMode } from './protocol.js';
import { CHANNEL_NAME_PATTERN } from './names.js';
import type { RelayStore, StoredChannel } from './store.js';
import { bearerToken, hashToken, newIngressId, newSubscribeToken, tokenMatches } from './tokens.js';

export interface AdminContext {
  store: RelayStore;
  adminToken: string;
  publicUrl: string;
  pathname: string;
  query: URLSearchParams;
}

export function channelInfo(channel: StoredChannel, publicUrl: string, token?: string): ChannelInfo {
  return {
    name: channel.name,
    ingressUrl: `${publicUrl}in/${channel.ingressId}`,
    subscribeUrl: `${publicUrl}sub/${encodeURIComponent(channel.name)}`,
    respond: channel.respond,
    createdAt: channel.createdAt,
    ...(token === undefined ? {} : { token }),
  };
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  try {
    const body = await readBody(req, 64 * 1024);
    if (body.length === 0) return {};
    const value = JSON.parse(body.toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // too large, or not JSON: the caller answers 400
  }
}

export async function handleAdmin(req: IncomingMessage, res: ServerResponse, context: AdminContext): Promise<void> {
  const { store, publicUrl } = context;
  if (!tokenMatches(bearerToken(req.headers.authorization), hashToken(context.adminToken))) {
    req.resume();
    return sendJson(res, 401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer' });
  }
  const parts = context.pathname.split('/').slice(3).map((part) => decodeURIComponent(part));
  const method = req.method ?? 'GET';
  const name = parts[0];
  const action = parts[1];

  if (name === undefined || name === '') {
    if (method === 'GET') {
      const channels = await store.listChannels();
      return sendJson(res, 200, { channels: channels.map((channel) => channelInfo(channel, publicUrl)) });
    }
    if (method === 'POST') {
      const body = await jsonBody(req);
      if (!body) return sendJson(res, 400, { error: 'expected a JSON body {"name"?, "respond"?}' });
      const channelName = body.name === undefined ? `ch-${randomBytes(5).toString('hex')}` : String(body.name);
      if (!CHANNEL_NAME_PATTERN.test(channelName)) return sendJson(res, 400, { error: `"${channelName.slice(0, 80)}" is not a usable channel name: 1 to 64 letters, digits, . _ - (starting with a letter or digit)` });
      const respond = (body.respond ?? 'stored') as RespondMode;
      if (respond !== 'stored' && respond !== 'wait') return sendJson(res, 400, { error: 'respond: stored or wait' });
      if (await store.channelByName(channelName)) return sendJson(res, 409, { error: `a channel named ${channelName} exists` });
      const token = newSubscribeToken();
      const channel: StoredChannel = { name: channelName, ingressId: newIngressId(), tokenHash: hashToken(token), respond, createdAt: new Date().toISOString() };
      await store.createChannel(channel);
      return sendJson(res, 201, channelInfo(channel, publicUrl, token));
    }
    req.resume();
    return sendJson(res, 405, { error: 'GET or POST' }, { allow: 'GET, POST' });
  }

  const channel = await store.channelByName(name);
  if (!channel) {
    req.resume();
    return sendJson(res, 404, { error: `no channel named ${name.slice(0, 80)}` });
  }
  if (action === undefined && method === 'DELETE') {
    await store.deleteChannel(name);
    return sendJson(res, 200, { deleted: name });
  }
  if (action === undefined && method === 'GET') return sendJson(res, 200, channelInfo(channel, publicUrl));
  if (action === 'rotate-token' && method === 'POST') {
    req.resume();
    const token = newSubscribeToken();
    await store.setTokenHash(name, hashToken(token));
    return sendJson(res, 200, channelInfo(channel, publicUrl, token));
  }
  if (action === 'status' && method === 'GET') return sendJson(res, 200, await store.status(name));
  if (action === 'dead' && method === 'GET') {
    const consumer = context.query.get('consumer') ?? undefined;
    const limit = Math.max(1, Math.min(Number(context.query.get('limit') ?? 100) || 100, 1_000_000));
    const dead = await store.dead(name, consumer);
    return sendJson(res, 200, { total: dead.length, dead: dead.slice(0, limit) });
  }
  if (action === 'requeue' && method === 'POST') {
    const body = await jsonBody(req);
    if (!body) return sendJson(res, 400, { error: 'expected a JSON body {"seqs"?: [...], "consumer"?}' });
    const seqs = Array.isArray(body.seqs) ? body.seqs.map(String) : undefined;
    const consumer = typeof body.consumer === 'string' ? body.consumer : undefined;
    const count = await store.requeue(name, seqs, consumer);
    return sendJson(res, 200, { count });
  }
  req.resume();
  return sendJson(res, 404, { error: 'not found' });
}
