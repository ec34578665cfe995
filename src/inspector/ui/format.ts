/** Display helpers: sender-controlled text made visible and harmless, sizes, times, hex. */

const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const LINE_CONTROLS = /[\t\n\r]/g;

function picture(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return `\u27e8U+${code.toString(16).toUpperCase().padStart(4, '0')}\u27e9`;
}

/**
 * Control characters (terminal escapes, NUL, bidi overrides that would reorder what is shown)
 * become visible symbols. `multiline` keeps tabs and line breaks as they are.
 */
export function visible(text: string, multiline = false): string {
  const shown = text.replace(CONTROLS, picture);
  return multiline ? shown : shown.replace(LINE_CONTROLS, picture);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** 14:03:07.123 in local time; '' when unknown. */
export function clock(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

export function dateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return 'unknown';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${clock(iso)}`;
}

export function base64ToBytes(data: string): Uint8Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function utf8Bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** `00000010  7b 22 61 22 3a 31 7d 0a …  |{"a":1}.|` lines, up to `max` bytes. */
export function hexDump(bytes: Uint8Array, max = 64 * 1024): string {
  const lines: string[] = [];
  const end = Math.min(bytes.length, max);
  for (let offset = 0; offset < end; offset += 16) {
    const row = bytes.subarray(offset, Math.min(offset + 16, end));
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      const byte = row[i];
      hex += byte === undefined ? '   ' : `${byte.toString(16).padStart(2, '0')} `;
      if (i === 7) hex += ' ';
      if (byte !== undefined) ascii += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
    }
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  if (bytes.length > end) lines.push(`… ${bytes.length - end} more bytes`);
  return lines.join('\n');
}

/** Pretty JSON when the text is JSON, form fields one per line when it is a form, else the text. */
export function prettyText(text: string, contentType: string): { text: string; kind: 'json' | 'form' | 'text' } {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return { text: JSON.stringify(JSON.parse(text), null, 2), kind: 'json' };
    } catch {
      // not JSON after all
    }
  }
  if (/application\/x-www-form-urlencoded/i.test(contentType) && /^[^=&\s]+=/.test(text)) {
    const lines = [...new URLSearchParams(text)].map(([name, value]) => `${name} = ${value}`);
    return { text: lines.join('\n'), kind: 'form' };
  }
  return { text, kind: 'text' };
}

export function headerValue(headers: Array<[string, string]>, name: string): string {
  const wanted = name.toLowerCase();
  return headers.find(([key]) => key.toLowerCase() === wanted)?.[1] ?? '';
}

/**
 * 12,345 — by hand: the first toLocaleString() of a page loads the locale's number formats, tens of
 * milliseconds of CPU before the first rows are shown.
 */
export function count(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? '' : 's'}`;
}

export function seconds(s: number): string {
  const abs = Math.abs(s);
  if (abs < 120) return `${s}s`;
  if (abs < 7200) return `${Math.round(s / 60)} min`;
  if (abs < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}
