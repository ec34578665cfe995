/** Shell command text: POSIX quoting and a curl command that sends exact bytes. */

export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** True when the bytes survive a trip through a shell argument: valid UTF-8 and no NUL. */
export function isArgumentSafe(body: Uint8Array): boolean {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return !bytes.includes(0) && Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
}

export interface CurlRequest {
  url: string;
  method?: string;
  headers: Record<string, string>;
  body: Uint8Array;
  /** A file holding the body: referenced instead of inlined (`-` means stdin, which is inlined). */
  file?: string | undefined;
}

/**
 * A curl command that sends these exact bytes: a file is referenced, text is quoted inline, and
 * anything a shell argument cannot carry (binary, NUL) is piped in from base64.
 */
export function curlCommand({ url, method = 'POST', headers, body, file }: CurlRequest): string {
  const headerArgs = Object.entries(headers).map(([name, value]) => `  -H ${shellQuote(`${name}: ${value}`)}`);
  const request = [`curl -sS -X ${method.toUpperCase()} ${shellQuote(url)}`, ...headerArgs];
  if (file !== undefined && file !== '-') return [...request, `  --data-binary @${shellQuote(file)}`].join(' \\\n');
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (isArgumentSafe(bytes)) return [...request, `  --data-binary ${shellQuote(bytes.toString('utf8'))}`].join(' \\\n');
  return `printf %s ${shellQuote(bytes.toString('base64'))} | base64 -d | ${[...request, '  --data-binary @-'].join(' \\\n')}`;
}
