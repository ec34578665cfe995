import { isAscii, isUtf8 } from 'node:buffer';
import { header } from './headers.js';
import type { HeaderMap } from './types.js';

/**
 * The most form parameters a request is read with. Twilio sends a few dozen; express's urlencoded
 * parser (which twilio's own `webhook()` middleware runs behind) refuses more than 1,000 with a
 * 413, counting them the same way: by `&` separators. Past this, parsing and sorting would cost
 * far more than hashing: a forged 1 MB form of 110k parameters cost about 300 HMACs of its bytes
 * to refuse, before the limit.
 */
export const MAX_FORM_PARAMETERS = 1000;

/** One form parameter name: as text (sorting, lookups) and as the UTF-8 bytes that get signed. */
export interface FormParam {
  name: string;
  nameBytes: Uint8Array;
  /** Each value's UTF-8 bytes, in order; decoded to text only when asked for (few are). */
  values: Uint8Array[];
}

/** A body read as form data: its parameters by name, in order of first appearance. */
export interface FormParams {
  readonly refused: undefined;
  readonly params: Map<string, FormParam>;
  /** What Twilio signs after the URL, once built (see twilio.ts). */
  signed?: Buffer;
}

/** A form this reader will not verify: Twilio never sends one like it, and reading it would cost too much. */
export interface RefusedForm {
  readonly refused: string;
}

export type Form = FormParams | RefusedForm;

// Parsed forms by body: verification (once per URL variant and per diagnosis suspect), the event
// id and the event type all read the same request, and must not parse it again each time.
const formCache = new WeakMap<Uint8Array, { declared: boolean; form: Form }>();

/**
 * The body as form data, or undefined when it is not `a=b&c=d` form data: declared by its
 * Content-Type, or (without one) shaped like a form and not like JSON. Parsed once per body.
 */
export function readForm(body: Uint8Array, headers?: HeaderMap): Form | undefined {
  const contentType = headers ? (header(headers, 'content-type') ?? '') : '';
  const declared = contentType.includes('application/x-www-form-urlencoded');
  if (!declared && (contentType !== '' || startsLikeJson(body))) return undefined;
  const cached = formCache.get(body);
  if (cached && cached.declared === declared) return cached.form;
  const form = parseForm(body, declared);
  if (form) formCache.set(body, { declared, form });
  return form;
}

/** The first value of a parameter as text. */
export function formValue(form: FormParams, name: string): string | undefined {
  const value = form.params.get(name)?.values[0];
  return value === undefined ? undefined : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
}

/**
 * Every parameter of a form body, without the limits: for signing the user's own body (read as
 * UTF-8 text first, as a receiver would, so invalid bytes sign as U+FFFD).
 */
export function allFormParams(body: Uint8Array): FormParams | undefined {
  const form = readForm(body);
  if (!form || form.refused === undefined) return form;
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return { refused: undefined, params: decodeForm(isUtf8(bytes) ? bytes : Buffer.from(bytes.toString('utf8'), 'utf8')) };
}

function parseForm(body: Uint8Array, declared: boolean): Form | undefined {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const tooMany = separators(bytes) >= MAX_FORM_PARAMETERS;
  if (!declared && !looksLikeForm(bytes, tooMany)) return undefined;
  if (tooMany) {
    return { refused: `the form has more than ${MAX_FORM_PARAMETERS} parameters (Twilio sends a few dozen; express.urlencoded refuses more than ${MAX_FORM_PARAMETERS})` };
  }
  // Twilio percent-encodes everything but ASCII. Read as text, each invalid byte would become
  // U+FFFD (three bytes to hash, after a slow decode): a forgery's shape, not a delivery's.
  if (!isUtf8(bytes)) return { refused: 'the form body is not valid UTF-8 (Twilio percent-encodes every non-ASCII character)' };
  return { refused: undefined, params: decodeForm(bytes) };
}

const FORM_SHAPE = /^[^=&\s]+=[^&\s]*(?:&[^=&\s]+=[^&\s]*)*$/;
const ASCII_SPACES = [0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d];

/**
 * An undeclared body is read as a form only when every part is `name=value`, without whitespace
 * (FORM_SHAPE). ASCII bodies are checked on the bytes; only others are decoded for the pattern.
 */
function looksLikeForm(bytes: Buffer, tooMany: boolean): boolean {
  // Past the parameter limit a part-by-part check would cost one object per part: the pattern is cheaper.
  if (tooMany || !isAscii(bytes)) return FORM_SHAPE.test(bytes.toString('utf8'));
  for (const space of ASCII_SPACES) if (bytes.includes(space)) return false;
  let start = 0;
  for (;;) {
    let end = bytes.indexOf(0x26, start);
    if (end < 0) end = bytes.length;
    const part = bytes.subarray(start, end);
    if (part.length === 0 || part[0] === 0x3d || !part.includes(0x3d)) return false;
    if (end === bytes.length) return true;
    start = end + 1;
  }
}

/** How many `&` the body holds, counting up to the limit only (express counts parameters this way). */
function separators(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(0x26); at >= 0 && count < MAX_FORM_PARAMETERS; at = bytes.indexOf(0x26, at + 1)) count++;
  return count;
}

function startsLikeJson(body: Uint8Array): boolean {
  for (const byte of body) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    return byte === 0x7b || byte === 0x5b;
  }
  return false;
}

/**
 * The WHATWG application/x-www-form-urlencoded parser (what URLSearchParams does), over the bytes
 * of a UTF-8 body in one pass. Values stay bytes: a value without `%` or `+` is a view of the body,
 * a decoded one a view of one scratch buffer. URLSearchParams, and String#replace for `+`, cost up
 * to 300 ms on a 1 MB body of `+` (one string operation per match); this costs a few ms for any body.
 */
function decodeForm(bytes: Buffer): Map<string, FormParam> {
  const scratch = { buffer: Buffer.allocUnsafe(bytes.length), used: 0 };
  const params = new Map<string, FormParam>();
  const length = bytes.length;
  let start = 0;
  while (start < length) {
    let end = bytes.indexOf(0x26, start);
    if (end < 0) end = length;
    if (end > start) {
      const found = bytes.subarray(start, end).indexOf(0x3d);
      const eq = found < 0 ? end : start + found;
      const nameBytes = decodeComponent(bytes, start, eq, scratch);
      const value = eq < end ? decodeComponent(bytes, eq + 1, end, scratch) : EMPTY;
      const name = nameBytes.toString('utf8');
      const param = params.get(name);
      if (param) param.values.push(value);
      else params.set(name, { name, nameBytes, values: [value] });
    }
    start = end + 1;
  }
  return params;
}

const EMPTY = Buffer.alloc(0);

/**
 * `+` is a space, `%XX` a byte, anything else itself; the result as UTF-8, with each invalid
 * sequence replaced by U+FFFD exactly as URLSearchParams (and Buffer#toString) replace it.
 */
function decodeComponent(bytes: Buffer, start: number, end: number, scratch: { buffer: Buffer; used: number }): Buffer {
  const raw = bytes.subarray(start, end);
  if (!raw.includes(0x25) && !raw.includes(0x2b)) return raw;
  const out = scratch.buffer;
  const from = scratch.used;
  let at = from;
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    if (byte === 0x2b) {
      out[at++] = 0x20;
    } else if (byte === 0x25 && i + 2 < end && isHexDigit(bytes[i + 1]!) && isHexDigit(bytes[i + 2]!)) {
      out[at++] = (hexValue(bytes[i + 1]!) << 4) | hexValue(bytes[i + 2]!);
      i += 2;
    } else {
      out[at++] = byte;
    }
  }
  scratch.used = at;
  const decoded = out.subarray(from, at);
  // %FF and friends: decoding never grows, so the replacement (3 bytes for at most 3) is its own copy.
  return isUtf8(decoded) ? decoded : Buffer.from(decoded.toString('utf8'), 'utf8');
}

function isHexDigit(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66);
}

function hexValue(byte: number): number {
  return byte <= 0x39 ? byte - 0x30 : (byte | 0x20) - 0x57;
}
