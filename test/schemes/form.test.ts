/**
 * The form reader Twilio verification runs on: it must read a body exactly as URLSearchParams does
 * (what twilio's own middleware sees), in one pass, and refuse the forms Twilio never sends.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_FORM_PARAMETERS, readForm, type Form } from '../../src/schemes/form.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** The parameters as text, the way URLSearchParams reads the body. */
function theirs(body: string): Array<[string, string[]]> {
  // The constructor drops a leading '?' (it takes a URL's search part); a body keeps it.
  return grouped(new URLSearchParams(`&${body}`));
}

/**
 * The WHATWG application/x-www-form-urlencoded parser, written from the spec over strings (and
 * what querystring, behind express.urlencoded, does too). Node's URLSearchParams strays from it
 * past ASCII: `%€` reads `%\ufffd`, `%FF\ufeff` two U+FFFD, `😀%ED%A0%80=` a name starting `=\u0000`.
 */
function spec(body: string): Array<[string, string[]]> {
  const decode = (text: string) => {
    const bytes = Buffer.from(text.replace(/\+/g, ' '), 'utf8');
    const out: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const hex = bytes.subarray(i + 1, i + 3).toString('latin1');
      if (bytes[i] === 0x25 && /^[0-9a-f]{2}$/i.test(hex)) {
        out.push(parseInt(hex, 16));
        i += 2;
      } else {
        out.push(bytes[i]!);
      }
    }
    return new TextDecoder('utf-8', { ignoreBOM: true }).decode(Uint8Array.from(out));
  };
  const pairs: Array<[string, string]> = [];
  for (const part of body.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    pairs.push(eq < 0 ? [decode(part), ''] : [decode(part.slice(0, eq)), decode(part.slice(eq + 1))]);
  }
  return grouped(pairs);
}

function grouped(pairs: Iterable<[string, string]>): Array<[string, string[]]> {
  const params = new Map<string, string[]>();
  for (const [name, value] of pairs) params.set(name, [...(params.get(name) ?? []), value]);
  return [...params];
}

function ours(form: Form | undefined): Array<[string, string[]]> | undefined {
  if (!form || form.refused !== undefined) return undefined;
  return [...form.params].map(([name, param]) => [name, param.values.map((value) => Buffer.from(value).toString('utf8'))]);
}

// Pieces that stress the decoder: escapes (of ASCII, of UTF-8, of a BOM, malformed), '+', separators.
const asciiPiece = fc.oneof(
  fc.constantFrom('%', '%2', '%25', '%2B', '%zz', '%E2%82%AC', '%F0%9F%98%80', '%EF%BB%BF', '+', '=', '&', '&&', 'a', 'Z', ' '),
  fc.string({ maxLength: 4, unit: 'binary-ascii' }),
);
// … raw non-ASCII, and escapes of bytes that are not UTF-8: truncated, overlong, a surrogate.
const piece = fc.oneof(asciiPiece, fc.constantFrom('€', '😀', '\ufeff', '\u00a0', '%FF', '%E2%82', '%C0%AF', '%ED%A0%80', '%80'), fc.string({ maxLength: 4 }));
const text = (pieces: fc.Arbitrary<string>) => fc.array(pieces, { maxLength: 30 }).map((parts) => parts.join(''));

describe('form reader', () => {
  it('reads a body as the spec says, and as URLSearchParams does where Node follows the spec (ASCII bodies)', () => {
    // Node's URLSearchParams strays from the spec past ASCII: `%€` reads `%\ufffd`, `%FF\ufeff` two U+FFFD.
    fc.assert(
      fc.property(text(asciiPiece), (body) => {
        expect(ours(readForm(Buffer.from(body, 'utf8'), FORM))).toEqual(theirs(Buffer.from(body, 'utf8').toString('utf8')));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(text(piece), (body) => {
        // Buffer.from turns a lone surrogate into U+FFFD, as a UTF-8 body on the wire would carry it.
        expect(ours(readForm(Buffer.from(body, 'utf8'), FORM))).toEqual(spec(Buffer.from(body, 'utf8').toString('utf8')));
      }),
      { numRuns: 2000 },
    );
  });

  it('undeclared bodies are read as forms only when shaped like one, the same with and without non-ASCII', () => {
    fc.assert(
      fc.property(text(piece), (input) => {
        const body = Buffer.from(input, 'utf8');
        const shaped = /^[^=&\s]+=[^&\s]*(?:&[^=&\s]+=[^&\s]*)*$/.test(body.toString('utf8')) && !/^\s*[[{]/.test(input);
        const form = readForm(body, {});
        expect(form !== undefined).toBe(shaped);
        if (form) expect(ours(form)).toEqual(spec(body.toString('utf8')));
      }),
      { numRuns: 3000 },
    );
  });

  it('parses a body once: the verifier, the event id and the event type share it', () => {
    const body = Buffer.from('MessageSid=SM1&SmsStatus=received');
    expect(readForm(body, FORM)).toBe(readForm(body, FORM));
  });

  it(`refuses a form of more than ${MAX_FORM_PARAMETERS} parameters, and one that is not UTF-8, before decoding it`, () => {
    const many = Buffer.from(Array.from({ length: MAX_FORM_PARAMETERS + 1 }, (_, i) => `p${i}=v`).join('&'));
    expect(readForm(many, FORM)).toMatchObject({ refused: expect.stringMatching(/more than 1000 parameters/) });
    expect(readForm(many, {})).toMatchObject({ refused: expect.stringMatching(/more than 1000 parameters/) });
    const limit = Buffer.from(Array.from({ length: MAX_FORM_PARAMETERS }, (_, i) => `p${i}=v`).join('&'));
    expect(readForm(limit, FORM)).toMatchObject({ refused: undefined });
    const latin1 = Buffer.from('Body=caf\xe9', 'latin1');
    expect(readForm(latin1, FORM)).toMatchObject({ refused: expect.stringMatching(/not valid UTF-8/) });
  });
});
