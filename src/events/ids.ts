import { randomBytes, randomUUID } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghijkmnopqrstuvwxyz';

function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

/** A fresh event id in the shape the provider uses, so receivers that check shapes are happy. */
export function newEventId(scheme: string): string {
  switch (scheme) {
    case 'github':
      return randomUUID();
    case 'stripe':
      return `evt_${randomToken(24)}`;
    case 'standard':
    case 'svix':
      return `msg_${randomToken(27)}`;
    case 'slack':
      return `Ev${randomToken(9).toUpperCase()}`;
    case 'shopify':
      return randomUUID();
    case 'twilio':
      return `SM${randomBytes(16).toString('hex')}`;
    default:
      return `evt_${randomToken(24)}`;
  }
}
