import { randomUUID } from 'node:crypto';
import { newEventId } from '../events/ids.js';

const BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const HEX = '0123456789abcdef';

/**
 * Event ids for load mode, in the provider's shape and distinct within a run: a random id from
 * newEventId with its last 8 characters replaced by a counter. Drawing fresh random bytes for
 * every one of 100k ids cost more than signing them.
 */
export function idSequence(scheme: string): () => string {
  const sample = newEventId(scheme);
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-/.test(sample)) return () => randomUUID();
  const alphabet = scheme === 'twilio' ? HEX : BASE32;
  const base = alphabet.length;
  const stem = sample.slice(0, sample.length - 8);
  let counter = 0;
  return () => {
    let n = counter++;
    let tail = '';
    for (let i = 0; i < 8; i++) {
      tail = alphabet[n % base]! + tail;
      n = Math.floor(n / base);
    }
    return stem + tail;
  };
}
