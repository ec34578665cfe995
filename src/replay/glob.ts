/**
 * Event-type globs for `--filter`: `*` any run of characters (dots and slashes included, so
 * `invoice.*` matches `invoice.payment_failed` and `orders/*` matches `orders/create`), `?` one
 * character, `{a,b}` alternatives; a comma-separated list matches when any glob does. Matched in
 * linear time by src/routes/glob.ts (no backtracking regex over sender text); an event type or a
 * path longer than that module's bound matches nothing.
 */
import { globMatcher, LONGEST_MATCHED_PATH } from '../routes/glob.js';

/** Splits on commas outside braces: "invoice.*,payment_{intent,method}.*" is two globs. */
function splitGlobs(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '{') depth++;
    if (char === '}') depth = Math.max(0, depth - 1);
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter(Boolean);
}

export type TypeMatcher = (eventType: string | null) => boolean;

/** A matcher for event types; an event without a type matches only a bare `*`. */
export function eventTypeMatcher(filter: string): TypeMatcher {
  const globs = splitGlobs(filter);
  // The filter serves paths too (--filter-path), so the bound is the path's.
  const patterns = globs.map((glob) => globMatcher(glob, { braces: true, longest: LONGEST_MATCHED_PATH }));
  const matchesUntyped = globs.includes('*');
  return (eventType) => (eventType === null ? matchesUntyped : patterns.some((matches) => matches(eventType)));
}
