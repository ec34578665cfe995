/**
 * The relay's secrets: ingress ids (a write-only capability, in the URL providers call), subscribe
 * tokens (read access, kept only as a SHA-256 hash) and the admin token. Comparisons are constant
 * time, and an unknown channel costs the same comparison as a wrong token.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 192 random bits, base64url: unguessable, and URL-safe as it is. */
export function newIngressId(): string {
  return randomBytes(24).toString('base64url');
}

/** 256 random bits; the prefix makes a leaked token easy to recognise (and to scan for). */
export function newSubscribeToken(): string {
  return `hkr_${randomBytes(32).toString('base64url')}`;
}

export function newAdminToken(): string {
  return `hka_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A hash nothing hashes to, compared against when there is no channel: same work, same answer. */
const NO_CHANNEL_HASH = '0'.repeat(64);

/** Whether `token` hashes to `storedHash` (hex), in constant time; `undefined` (no such channel) never matches. */
export function tokenMatches(token: string | undefined, storedHash: string | undefined): boolean {
  const given = Buffer.from(hashToken(token ?? ''), 'hex');
  const expected = Buffer.from(storedHash && /^[0-9a-f]{64}$/.test(storedHash) ? storedHash : NO_CHANNEL_HASH, 'hex');
  return timingSafeEqual(given, expected) && token !== undefined && storedHash !== undefined;
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
