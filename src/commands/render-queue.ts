/** Sender-controlled text (event ids, types, paths) made safe for one terminal line. */
export function printable(text: string, max = Infinity): string {
  const clean = text.replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
