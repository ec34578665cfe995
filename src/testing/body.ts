/**
 * Bodies as bytes. A test gives a string, bytes or a JSON value; whatever it gives becomes bytes
 * here, once, and those exact bytes are both signed and sent. That is what makes the
 * re-serialization trap (sign one `JSON.stringify`, send another) impossible by construction.
 */

/** A JSON value, as `JSON.stringify` takes it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue } | object;

/**
 * A webhook body: a string (UTF-8), bytes (`Buffer`, any `Uint8Array`, an `ArrayBuffer`), or any
 * other JSON value, which is serialised once with `JSON.stringify(value)`.
 */
export type WebhookBody = string | Uint8Array | ArrayBuffer | JsonValue;

/** The bytes of a body, serialising a JSON value once (`JSON.stringify(value)`, no indentation). */
export function bodyBytes(body: WebhookBody): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  const text = JSON.stringify(body);
  if (text === undefined) throw new TypeError(`body: ${typeof body} cannot be serialised as JSON`);
  return Buffer.from(text, 'utf8');
}

/**
 * The body a JSON parser would re-emit: `JSON.stringify(JSON.parse(bytes))`, or, when that is
 * byte for byte what came in (the body was already compact), the pretty form a framework's
 * `JSON.stringify(body, null, 2)` writes. Either way different bytes carrying the same data.
 */
export function reserializedBody(bytes: Buffer): Buffer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new TypeError('reserialize: the body is not JSON, so there is nothing a JSON parser would re-emit');
  }
  for (const text of [JSON.stringify(parsed), JSON.stringify(parsed, null, 2)]) {
    const candidate = Buffer.from(text, 'utf8');
    if (!candidate.equals(bytes)) return candidate;
  }
  throw new TypeError('reserialize: this body reads back byte for byte the same whichever way it is re-emitted; give a body with an object in it');
}
