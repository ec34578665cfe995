/**
 * Which Host headers the inspector answers. A page on another site can make the browser talk to
 * 127.0.0.1 through a DNS name it controls (DNS rebinding); such a request carries that name as
 * Host. Only IP literals, localhost and the names the inspector was bound to are accepted.
 */
import { isIP } from 'node:net';
import { hostname } from 'node:os';

import { isLoopbackHost } from '../options/hosts.js';

export { isLoopbackHost };

/** `host:port` for a URL (IPv6 literals in brackets). */
export function hostForUrl(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `${isIP(name) === 6 ? `[${name}]` : name}:${port}`;
}

/** Splits a Host header into name and port; undefined when it is malformed. */
function parseHostHeader(value: string): { name: string; port: string } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(value.trim());
  if (!match) return undefined;
  return { name: match[1]!.toLowerCase(), port: match[2] ?? '80' };
}

export function hostChecker(boundHost: string, port: number): (hostHeader: string | undefined) => boolean {
  const names = new Set(['localhost', boundHost.toLowerCase()]);
  if (!isLoopbackHost(boundHost)) names.add(hostname().toLowerCase());
  return (hostHeader) => {
    if (!hostHeader) return false;
    const parsed = parseHostHeader(hostHeader);
    if (!parsed || Number(parsed.port) !== port) return false;
    const bare = parsed.name.startsWith('[') ? parsed.name.slice(1, -1) : parsed.name;
    if (names.has(bare) || names.has(parsed.name)) return true;
    // IP literals cannot be rebound; a loopback-only inspector accepts only loopback ones.
    if (isIP(bare) === 0) return false;
    return isLoopbackHost(boundHost) ? isLoopbackHost(bare) : true;
  };
}
