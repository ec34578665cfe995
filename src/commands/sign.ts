import type { CommandContext } from '../cli/context.js';
import { readBody } from '../input/body.js';
import { schemeOptionsFrom } from '../cli/scheme-flags.js';
import { requireSigningSecret, signingKeyFlag } from '../cli/secrets.js';
import { EXIT, usageError } from '../errors.js';
import { newEventId } from '../events/ids.js';
import { parseInteger, parseUrl } from '../options/units.js';
import { BadSecretError } from '../schemes/crypto.js';
import { getScheme } from '../schemes/registry.js';
import { signRequest, type SignedRequest } from '../schemes/sign-request.js';
import { defaultContentType } from '../send/content-type.js';
import { curlCommand } from '../shell/curl.js';

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
  // Twilio, Square and HubSpot sign the URL the request is sent to.
  if (scheme.targetUrl && target === undefined) throw usageError(`--url: ${scheme.name} signs the public URL; pass it with --url or --curl`);
  if (body.length === 0) output.warn('the body is empty; the Stripe, GitHub and Shopify libraries refuse to verify an empty payload');

  let signed: SignedRequest;
  try {
    signed = signRequest(scheme, { body, secret, timestamp, id: options.id ?? newEventId(scheme.name), url: target });
  } catch (error) {
    // The secret's own text never goes into the message, only what is wrong with it.
    if (error instanceof BadSecretError) throw usageError(`${signingKeyFlag(options)}: ${error.message}`);
    throw error;
  }
  // The headers printed are the request to make: a receiver that parses the body (Twilio's
  // form parameters) needs its Content-Type, which some schemes' own headers do not carry.
  if (!Object.keys(signed.headers).some((name) => name.toLowerCase() === 'content-type')) {
    signed = { ...signed, headers: { 'Content-Type': defaultContentType(scheme.name, body), ...signed.headers } };
  }

  if (output.json) {
    // In-body schemes (Mailgun, SNS) write the signature into the body: then the body is the output too.
    const signedBody = signed.body !== body ? { body: Buffer.from(signed.body).toString('utf8') } : {};
    output.record({ type: 'signature', scheme: scheme.name, headers: signed.headers, ...(target !== undefined ? { url: signed.url } : {}), ...signedBody });
    return EXIT.ok;
  }
  if (options.curl !== undefined) {
    const postTo = options.url === undefined ? (signed.url ?? options.curl) : (scheme.targetUrl?.(options.curl, body) ?? options.curl);
    output.line(curlCommand({ url: postTo, headers: signed.headers, body: Buffer.from(signed.body), ...(signed.body === body ? { file: options.file } : {}) }));
    return EXIT.ok;
  }
  for (const [name, value] of Object.entries(signed.headers)) output.line(`${name}: ${value}`);
  if (signed.body !== body) output.line(`\n${Buffer.from(signed.body).toString('utf8')}`);
  // Twilio signs the URL it posts to; for JSON bodies that URL gained a bodySHA256 parameter.
  if (signed.url !== undefined && signed.url !== target) output.note(`post to: ${signed.url}`);
  return EXIT.ok;
}
