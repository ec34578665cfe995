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

/**
 * Values of several headers in one pass over the map (a verifier reading id, timestamp and
 * signature would otherwise scan it three times). `names` are lower case; the result is
 * index-aligned with them, empty arrays for absent headers.
 */
export function headerValuesOf(headers: HeaderMap, names: readonly string[]): string[][] {
  const found: string[][] = names.map(() => []);
  for (const key in headers) {
    if (!Object.hasOwn(headers, key)) continue;
    const value = headers[key];
    if (value === undefined) continue;
    let lower: string | undefined;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      if (key.length !== name.length) continue;
      lower ??= key.toLowerCase();
      if (lower !== name) continue;
      if (Array.isArray(value)) found[i]!.push(...value);
      else found[i]!.push(value);
    }
  }
  return found;
}

/** The single value of a header; repeated values are joined the way HTTP folds them. */
export function header(headers: HeaderMap, name: string): string | undefined {
  const values = headerValues(headers, name);
  return values.length === 0 ? undefined : values.length === 1 ? values[0] : values.join(', ');
}

/**
 * A header that carries an event id: an empty value is no id. Two deliveries with an empty id
 * header must not share the id "" (the second would be dropped as a duplicate of the first).
 */
export function headerId(headers: HeaderMap, name: string): string | undefined {
  const value = header(headers, name);
  return value === '' ? undefined : value;
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
