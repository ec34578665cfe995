/**
 * Event-type globs for `--filter`: `*` any run of characters (dots and slashes included, so
 * `invoice.*` matches `invoice.payment_failed` and `orders/*` matches `orders/create`), `?` one
 * character, `{a,b}` alternatives; a comma-separated list matches when any glob does.
 */
function globToRegExp(glob: string): RegExp {
  let pattern = '';
  let inBraces = false;
  for (const char of glob) {
    if (char === '*') pattern += '.*';
    else if (char === '?') pattern += '.';
    else if (char === '{' && !inBraces) {
      inBraces = true;
      pattern += '(?:';
    } else if (char === '}' && inBraces) {
      inBraces = false;
      pattern += ')';
    } else if (char === ',' && inBraces) pattern += '|';
    else pattern += char.replace(/[.+^$()|[\]\\{}]/g, '\\$&');
  }
  if (inBraces) pattern += ')';
  return new RegExp(`^${pattern}$`);
}

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
  const patterns = globs.map(globToRegExp);
  const matchesUntyped = globs.includes('*');
  return (eventType) => (eventType === null ? matchesUntyped : patterns.some((pattern) => pattern.test(eventType)));
}
