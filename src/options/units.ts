import { usageError } from '../errors.js';

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses `250ms`, `5s`, `2m`, `1h`, `7d`, `1.5s` or a bare number of milliseconds into milliseconds.
 * `flag` names the option in the error so the user knows which value to fix.
 */
export function parseDuration(value: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(value);
  if (!match) {
    throw usageError(`${flag}: expected a duration like 250ms, 5s, 2m, 1h, 7d or a number of milliseconds, got "${value}"`);
  }
  const amount = Number(match[1]);
  const unit = (match[2] ?? 'ms').toLowerCase();
  return Math.round(amount * DURATION_UNITS[unit]!);
}

/** Like parseDuration but zero is refused. */
export function parsePositiveDuration(value: string, flag: string): number {
  const ms = parseDuration(value, flag);
  if (ms <= 0) throw usageError(`${flag}: must be greater than 0, got "${value}"`);
  return ms;
}

/**
 * Binary units, the convention Node users know from body parsers (the `bytes` package behind
 * express and body-parser: `1mb` = 1,048,576): `kb`, `k` and `kib` all mean 1,024 bytes.
 */
const KIB = 1024;
const SIZE_UNITS: Record<string, number> = { b: 1, k: KIB, kb: KIB, kib: KIB, m: KIB ** 2, mb: KIB ** 2, mib: KIB ** 2, g: KIB ** 3, gb: KIB ** 3, gib: KIB ** 3 };

/** Parses `512`, `64kb`, `1mb` (1,048,576), `1MiB`, `2m` into bytes. */
export function parseSize(value: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = (match?.[2] ?? '').toLowerCase() || 'b';
  if (!match || SIZE_UNITS[unit] === undefined) {
    throw usageError(`${flag}: expected a size like 512, 64kb, 1mb or 1MiB, got "${value}"`);
  }
  return Math.floor(Number(match[1]) * SIZE_UNITS[unit]!);
}

export function parseInteger(value: string, flag: string, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
  if (!/^\s*-?\d+\s*$/.test(value)) throw usageError(`${flag}: expected a whole number, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`;
    throw usageError(`${flag}: expected a whole number ${range}, got ${value}`);
  }
  return n;
}

export function parseNumber(value: string, flag: string, { min = -Infinity, max = Infinity } = {}): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    const range = Number.isFinite(max) ? `between ${min} and ${max}` : `at least ${min}`;
    throw usageError(`${flag}: expected a number ${range}, got "${value}"`);
  }
  return n;
}

export function parseProbability(value: string, flag: string): number {
  return parseNumber(value, flag, { min: 0, max: 1 });
}

export function parseHttpStatus(value: string, flag: string): number {
  return parseInteger(value, flag, { min: 100, max: 599 });
}

/** Parses one `"Name: value"` header flag. */
export function parseHeaderFlag(value: string, flag = '--header'): [string, string] {
  const colon = value.indexOf(':');
  const name = colon > 0 ? value.slice(0, colon).trim() : '';
  if (!name || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw usageError(`${flag}: expected "Name: value", got "${value}"`);
  }
  return [name, value.slice(colon + 1).trim()];
}

export function parseUrl(value: string, flag: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`${flag}: "${value}" is not a valid URL (expected e.g. http://127.0.0.1:3000/webhooks)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(`${flag}: only http:// and https:// URLs are supported, got "${value}"`);
  }
  return url;
}
