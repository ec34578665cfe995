/**
 * Globs over text a sender chooses (an event type from an unsigned header, a request path), so
 * matching must cost time in proportion to that text, whatever the glob: a hand-written matcher,
 * never a backtracking regular expression (`*.*.*.created` as `^.*\..*\..*\.created$` took 7.5 s on
 * a 4,000-dot event type).
 *
 * `*` any run of characters (dots and slashes too), `?` one character, `{a,b}` alternatives (when
 * `braces` is on, as for --filter); everything else literal.
 *
 * The matcher is the classic one for `*` and `?`: on a mismatch it goes back only to the last `*`
 * seen and lets it swallow one more character. That is enough because a later `*` can absorb
 * anything an earlier one could, and it makes a match O(text × glob) at worst: linear in the text
 * for a given glob.
 */

/** Event types and paths longer than this match no glob (a real event type is under 100 characters, a path under 2 KiB). */
export const LONGEST_MATCHED_EVENT_TYPE = 256;
export const LONGEST_MATCHED_PATH = 4096;

export type GlobMatcher = (text: string) => boolean;

/** True when `text` matches the glob of `*` and `?` (no braces). */
export function matchGlob(glob: string, text: string): boolean {
  let g = 0;
  let t = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (t < text.length) {
    const char = glob.charCodeAt(g);
    if (g < glob.length && char !== 42 /* * */ && (char === 63 /* ? */ || char === text.charCodeAt(t))) {
      g++;
      t++;
    } else if (g < glob.length && char === 42) {
      starAt = g++;
      resumeAt = t;
    } else if (starAt >= 0) {
      g = starAt + 1;
      t = ++resumeAt;
    } else return false;
  }
  while (g < glob.length && glob.charCodeAt(g) === 42) g++;
  return g === glob.length;
}

/** Expands `{a,b}` groups (unnested; an unclosed `{` runs to the end): `x.{a,b}` → `x.a`, `x.b`. */
export function expandBraces(glob: string): string[] {
  const open = glob.indexOf('{');
  if (open < 0) return [glob];
  let close = glob.indexOf('}', open + 1);
  if (close < 0) close = glob.length;
  const head = glob.slice(0, open);
  const tails = expandBraces(glob.slice(close + 1));
  const out: string[] = [];
  for (const choice of glob.slice(open + 1, close).split(',')) for (const tail of tails) out.push(head + choice + tail);
  return out;
}

/** A matcher for one glob; text longer than `longest` never matches. */
export function globMatcher(glob: string, options: { braces?: boolean; longest?: number } = {}): GlobMatcher {
  const longest = options.longest ?? LONGEST_MATCHED_PATH;
  const alternatives = options.braces ? expandBraces(glob) : [glob];
  // A bare `*` is "everything": even text past the bound.
  if (alternatives.every((alternative) => /^\*+$/.test(alternative))) return () => true;
  if (alternatives.length === 1) {
    const only = alternatives[0]!;
    return (text) => text.length <= longest && matchGlob(only, text);
  }
  return (text) => text.length <= longest && alternatives.some((alternative) => matchGlob(alternative, text));
}
