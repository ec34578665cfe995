import type { CommandContext } from '../cli/context.js';
import { readBody } from '../input/body.js';
import { schemeOptionsFrom } from '../cli/scheme-flags.js';
import { requireSigningSecret } from '../cli/secrets.js';
import { EXIT, usageError } from '../errors.js';
import { newEventId } from '../events/ids.js';
import { parseInteger, parseUrl } from '../options/units.js';
import { BadSecretError } from '../schemes/crypto.js';
import { getScheme } from '../schemes/registry.js';
import { signRequest, type SignedRequest } from '../schemes/sign-request.js';
import { defaultContentType } from '../send/content-type.js';

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** True when the bytes survive a trip through a shell argument: valid UTF-8 and no NUL. */
function isArgumentSafe(body: Buffer): boolean {
  return !body.includes(0) && Buffer.from(body.toString('utf8'), 'utf8').equals(body);
}

/**
 * A curl command that sends these exact bytes: a file is referenced, text is quoted inline, and
 * anything a shell argument cannot carry (binary, NUL) is piped in from base64.
 */
function curlCommand(url: string, headers: SignedRequest['headers'], body: Buffer, file: string | undefined): string {
  const headerArgs = Object.entries(headers).map(([name, value]) => `  -H ${shellQuote(`${name}: ${value}`)}`);
  const request = [`curl -sS -X POST ${shellQuote(url)}`, ...headerArgs];
  if (file !== undefined && file !== '-') return [...request, `  --data-binary @${shellQuote(file)}`].join(' \\\n');
  if (isArgumentSafe(body)) return [...request, `  --data-binary ${shellQuote(body.toString('utf8'))}`].join(' \\\n');
  return `printf %s ${shellQuote(body.toString('base64'))} | base64 -d | ${[...request, '  --data-binary @-'].join(' \\\n')}`;
}

export async function run({ options, output }: CommandContext): Promise<number> {
  const scheme = getScheme(options.scheme, schemeOptionsFrom(options));
  const secret = requireSigningSecret(options);
  const body = await readBody(options);
  if (body === undefined) throw usageError('--data or --file: the body to sign is required (--file - reads stdin)');
  const timestamp = options.timestamp !== undefined ? parseInteger(options.timestamp, '--timestamp', { min: 0 }) : Math.floor(Date.now() / 1000);
  if (options.curl !== undefined) parseUrl(options.curl, '--curl');
  if (options.url !== undefined) parseUrl(options.url, '--url');
  // --url is the public URL the provider signs (Twilio); --curl is where the command posts, often
  // the same, but not behind a tunnel or proxy.
  const target: string | undefined = options.url ?? options.curl;
  if (scheme.name === 'twilio' && target === undefined) throw usageError('--url: twilio signs the public URL; pass it with --url or --curl');
  if (body.length === 0) output.warn('the body is empty; the Stripe, GitHub and Shopify libraries refuse to verify an empty payload');

  let signed: SignedRequest;
  try {
    signed = signRequest(scheme, { body, secret, timestamp, id: options.id ?? newEventId(scheme.name), url: target });
  } catch (error) {
    // The secret's own text never goes into the message, only what is wrong with it.
    if (error instanceof BadSecretError) throw usageError(`--secret: ${error.message}`);
    throw error;
  }
  // The headers printed are the request to make: a receiver that parses the body (Twilio's
  // form parameters) needs its Content-Type, which some schemes' own headers do not carry.
  if (!Object.keys(signed.headers).some((name) => name.toLowerCase() === 'content-type')) {
    signed = { ...signed, headers: { 'Content-Type': defaultContentType(scheme.name, body), ...signed.headers } };
  }

  if (output.json) {
    output.record({ type: 'signature', scheme: scheme.name, headers: signed.headers, ...(target !== undefined ? { url: signed.url } : {}) });
    return EXIT.ok;
  }
  if (options.curl !== undefined) {
    const postTo = options.url === undefined ? (signed.url ?? options.curl) : (scheme.targetUrl?.(options.curl, body) ?? options.curl);
    output.line(curlCommand(postTo, signed.headers, body, options.file));
    return EXIT.ok;
  }
  for (const [name, value] of Object.entries(signed.headers)) output.line(`${name}: ${value}`);
  // Twilio signs the URL it posts to; for JSON bodies that URL gained a bodySHA256 parameter.
  if (signed.url !== undefined && signed.url !== target) output.note(`post to: ${signed.url}`);
  return EXIT.ok;
}
