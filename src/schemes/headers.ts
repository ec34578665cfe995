import type { HeaderMap } from './types.js';

/**
 * All values of a header, case-insensitively. Node joins most repeated headers with ", " but keeps
 * arrays for some; records from fixtures may carry either.
 */
export function headerValues(headers: HeaderMap, name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const key in headers) {
    // Length first: most keys differ in length, and lower-casing each would allocate per request.
    if (key.length !== wanted.length || !Object.hasOwn(headers, key) || key.toLowerCase() !== wanted) continue;
    const value = headers[key];
    if (value === undefined) continue;
    if (Array.isArray(value)) values.push(...value);
    else values.push(value);
  }
  return values;
}

/** The single value of a header; repeated values are joined the way HTTP folds them. */
export function header(headers: HeaderMap, name: string): string | undefined {
  const values = headerValues(headers, name);
  return values.length === 0 ? undefined : values.length === 1 ? values[0] : values.join(', ');
}

export function hasHeader(headers: HeaderMap, name: string): boolean {
  const wanted = name.toLowerCase();
  for (const key in headers) {
    if (key.length !== wanted.length || !Object.hasOwn(headers, key) || key.toLowerCase() !== wanted) continue;
    const value = headers[key];
    if (value !== undefined && (!Array.isArray(value) || value.length > 0)) return true;
  }
  return false;
}

/** Lower-cases names and folds repeats, for storage and comparison. */
export function normalizeHeaders(headers: HeaderMap): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(headers)) {
    const lower = key.toLowerCase();
    if (lower in out) continue;
    const value = header(headers, lower);
    if (value !== undefined) out[lower] = value;
  }
  return out;
}
