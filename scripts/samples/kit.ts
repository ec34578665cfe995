/**
 * What the hand-made sample files share: the provider description, the sample shape, and fake
 * but well-formed ids (deterministic, so regenerating the catalog changes nothing).
 */
import { createHash } from 'node:crypto';
import type { FreshField, Placement } from '../../src/records/sample-catalog.js';

export interface ProviderInfo {
  title: string;
  source: string;
  licence: string;
  contentType: string;
  defaultEvent: string;
  typeIn: Placement;
  idIn: Placement;
}

export interface HandSample {
  event: string;
  /** An object is serialised by the provider's `style`; a string is sent as it is. */
  body: unknown;
  id?: string;
  headerType?: string;
  contentType?: string;
  fresh?: FreshField[];
  description?: string;
}

export interface HandProvider extends ProviderInfo {
  /** How the provider serialises JSON on the wire. */
  style: 'compact' | 'pretty';
  samples: HandSample[];
}

export const HAND_MADE = 'hand-made by hookctl from the provider\'s public documentation';
export const HAND_MADE_LICENCE = 'MIT, as hookctl';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

function digest(seed: string): Buffer {
  return createHash('sha256').update(seed).digest();
}

function draw(seed: string, alphabet: string, length: number): string {
  let out = '';
  let round = 0;
  while (out.length < length) {
    for (const byte of digest(`${seed}#${round++}`)) {
      if (out.length === length) break;
      out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

/** `prefix` + base62 (Stripe `evt_1Sp…`, Clerk `user_2…`). */
export function token(prefix: string, seed: string, length = 24): string {
  return prefix + draw(prefix + seed, BASE62, length);
}

/** Lower-case Crockford base32 (Paddle `txn_01h…`, ULIDs). */
export function ulidish(prefix: string, seed: string, length = 26): string {
  return prefix + draw(prefix + seed, CROCKFORD, length);
}

export function hex(seed: string, length = 32): string {
  return draw(seed, '0123456789abcdef', length);
}

export function uuid(seed: string): string {
  const h = hex(`uuid${seed}`, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function digits(seed: string, length: number): string {
  const out = draw(seed, '0123456789', length);
  return out[0] === '0' ? `1${out.slice(1)}` : out;
}

/** A fixed clock for the samples: 2026-01-15T10:00:00Z plus `offset` seconds. */
export const T0 = 1768471200;
export function iso(offset = 0): string {
  return new Date((T0 + offset) * 1000).toISOString();
}
export function isoSeconds(offset = 0): string {
  return iso(offset).replace('.000Z', 'Z');
}
