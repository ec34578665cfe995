/** The admin API of a relay, from the other side: what `hookctl relay channel|status|dead|requeue` call. */
import type { ChannelInfo, RespondMode } from './protocol.js';
import type { ChannelStatus, DeadEntry } from './store.js';

export class RelayAdminError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

export class RelayAdminClient {
  private readonly base: string;

  constructor(
    server: string,
    private readonly adminToken: string,
  ) {
    this.base = server.endsWith('/') ? server : `${server}/`;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = new URL(path, this.base);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new RelayAdminError(`cannot reach the relay at ${url.origin} (${cause?.code ?? cause?.message ?? (error as Error).message})`, null);
    }
    const text = await response.text();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (!response.ok) {
      const said = (value as { error?: unknown } | undefined)?.error;
      if (response.status === 401) throw new RelayAdminError('the relay refused the admin token (check --admin-token-file or HOOKCTL_RELAY_ADMIN_TOKEN)', 401);
      throw new RelayAdminError(typeof said === 'string' ? said : `the relay answered ${response.status}`, response.status);
    }
    if (value === undefined) throw new RelayAdminError(`the relay answered ${response.status} without JSON: is ${this.base} a hookctl relay?`, response.status);
    return value as T;
  }

  createChannel(name: string | undefined, respond: RespondMode): Promise<ChannelInfo> {
    return this.call('POST', 'api/channels', { ...(name === undefined ? {} : { name }), respond });
  }

  async listChannels(): Promise<ChannelInfo[]> {
    return (await this.call<{ channels: ChannelInfo[] }>('GET', 'api/channels')).channels;
  }

  deleteChannel(name: string): Promise<{ deleted: string }> {
    return this.call('DELETE', `api/channels/${encodeURIComponent(name)}`);
  }

  rotateToken(name: string): Promise<ChannelInfo> {
    return this.call('POST', `api/channels/${encodeURIComponent(name)}/rotate-token`);
  }

  status(name: string): Promise<ChannelStatus> {
    return this.call('GET', `api/channels/${encodeURIComponent(name)}/status`);
  }

  dead(name: string, consumer: string | undefined, limit: number): Promise<{ total: number; dead: DeadEntry[] }> {
    const query = new URLSearchParams({ limit: String(limit), ...(consumer === undefined ? {} : { consumer }) });
    return this.call('GET', `api/channels/${encodeURIComponent(name)}/dead?${query}`);
  }

  async requeue(name: string, seqs: string[] | undefined, consumer: string | undefined): Promise<number> {
    return (await this.call<{ count: number }>('POST', `api/channels/${encodeURIComponent(name)}/requeue`, { ...(seqs ? { seqs } : {}), ...(consumer === undefined ? {} : { consumer }) })).count;
  }
}
