import { randomInt, randomUUID } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DIGITS = '0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const HEX_LOWER = '0123456789abcdef';

/**
 * Fresh ids in the shape of a sample's own (`evt_01hv…`, a UUID, `notif_<uuid>`, Discord's 19
 * digits, SendGrid's 22 characters): a handler that checks the shape of the provider's ids keeps
 * passing. The prefix up to the last `_` (or a leading capital tag) stays; every other letter or
 * digit is drawn anew from its own class (hex stays hex), punctuation stays where it was.
 */
export function idLike(sample: string): () => string {
  // Without an underscore, a leading capital or two is the provider's tag (Twilio's SM, AC).
  const tag = sample.includes('_') ? 0 : (/^[A-Z]{1,3}(?=[0-9a-z]{8,}$)/.exec(sample)?.[0].length ?? 0);
  const cut = sample.includes('_') ? sample.lastIndexOf('_') + 1 : tag;
  const prefix = sample.slice(0, cut);
  const rest = sample.slice(cut);
  if (UUID.test(rest)) return rest === rest.toUpperCase() ? () => prefix + randomUUID().toUpperCase() : () => prefix + randomUUID();
  const alnum = rest.replace(/[^0-9a-zA-Z]/g, '');
  const hex = /^[0-9a-f]+$/.test(alnum) && /[a-f]/.test(alnum);
  return () => {
    let out = prefix;
    for (const char of rest) {
      if (hex && /[0-9a-f]/.test(char)) out += HEX_LOWER[randomInt(16)];
      else if (/[0-9]/.test(char)) out += DIGITS[randomInt(10)];
      else if (/[a-z]/.test(char)) out += LOWER[randomInt(26)];
      else if (/[A-Z]/.test(char)) out += UPPER[randomInt(26)];
      else out += char;
    }
    // A leading zero where the sample had none would make a numeric id (Discord's) look different.
    return /^[1-9]/.test(rest) && out[cut] === '0' ? `${out.slice(0, cut)}1${out.slice(cut + 1)}` : out;
  };
}
