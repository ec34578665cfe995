import type { CommandContext } from '../cli/context.js';
import { readBody } from '../cli/body.js';
import { schemeOptionsFrom } from '../cli/scheme-flags.js';
import { requireSigningSecret } from '../cli/secrets.js';
import { EXIT, usageError } from '../errors.js';
import { newEventId } from '../events/ids.js';
import { parseInteger, parseUrl } from '../options/units.js';
import { getScheme } from '../schemes/registry.js';
import { signRequest } from '../schemes/sign-request.js';

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export async function run({ options, output }: CommandContext): Promise<number> {
  const scheme = getScheme(options.scheme, schemeOptionsFrom(options));
  const secret = requireSigningSecret(options);
  const body = await readBody(options);
  if (body === undefined) throw usageError('--data or --file: the body to sign is required (--file - reads stdin)');
  const timestamp = options.timestamp !== undefined ? parseInteger(options.timestamp, '--timestamp', { min: 0 }) : Math.floor(Date.now() / 1000);
  const target = options.curl ?? options.url;
  if (target !== undefined) parseUrl(target, options.curl !== undefined ? '--curl' : '--url');
  if (scheme.name === 'twilio' && target === undefined) throw usageError('--url: twilio signs the public URL; pass it with --url or --curl');

  const signed = signRequest(scheme, {
    body,
    secret,
    timestamp,
    id: options.id ?? newEventId(scheme.name),
    url: options.url ?? options.curl,
  });

  if (output.json) {
    output.record({ type: 'signature', scheme: scheme.name, headers: signed.headers, ...(options.curl ? { url: signed.url } : {}) });
    return EXIT.ok;
  }
  if (options.curl) {
    const headerArgs = Object.entries(signed.headers).map(([name, value]) => `  -H ${shellQuote(`${name}: ${value}`)}`);
    const bodyArg = options.file && options.file !== '-' ? `--data-binary @${shellQuote(options.file)}` : `--data-binary ${shellQuote(body.toString('utf8'))}`;
    output.line([`curl -sS -X POST ${shellQuote(signed.url ?? options.curl)}`, ...headerArgs, `  ${bodyArg}`].join(' \\\n'));
    return EXIT.ok;
  }
  for (const [name, value] of Object.entries(signed.headers)) output.line(`${name}: ${value}`);
  return EXIT.ok;
}
