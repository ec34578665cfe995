/** Formatting shared by the listener's renderers: text from senders made safe, sizes, times. */

const CONTROL = /[\x00-\x1f\x7f-\x9f]/;
const CONTROL_ALL = /[\x00-\x1f\x7f-\x9f]/g;

/** Text from the sender, made safe for a terminal: no escape sequences or control characters. */
export function printable(text: string, max = Infinity): string {
  const clean = CONTROL.test(text) ? text.replace(CONTROL_ALL, '?') : text;
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** A block of sender text (a body) for the terminal: newlines kept, other control characters replaced. */
export function printableBlock(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '?');
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

// A busy listener shows many deliveries per millisecond: format the time once per millisecond.
let clockMs = Number.NaN;
let clockText = '';

/** Local wall-clock time with milliseconds: `16:51:20.434`. */
export function clock(date: Date): string {
  const ms = date.getTime();
  if (ms !== clockMs) {
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    clockText = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
    clockMs = ms;
  }
  return clockText;
}

let isoMs = Number.NaN;
let isoText = '';

/** `date.toISOString()`, once per millisecond. */
export function isoTime(date: Date): string {
  const ms = date.getTime();
  if (ms !== isoMs) {
    isoText = date.toISOString();
    isoMs = ms;
  }
  return isoText;
}
