/** Formatting for the listener's renderers: times, once per millisecond. */

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
