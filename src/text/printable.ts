/** Text from a sender (event ids, types, paths, bodies) made safe for a terminal. */

const CONTROL = /[\x00-\x1f\x7f-\x9f]/;
const CONTROL_ALL = /[\x00-\x1f\x7f-\x9f]/g;

/** One terminal line's worth: no escape sequences or control characters, cut to `max` characters. */
export function printable(text: string, max = Infinity): string {
  const clean = CONTROL.test(text) ? text.replace(CONTROL_ALL, '?') : text;
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** A block (a body): newlines kept, other control characters replaced. */
export function printableBlock(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '?');
}
