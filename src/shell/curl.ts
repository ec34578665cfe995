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

/** The environment variable a printed curl command reads the target's password from. */
export const TARGET_PASSWORD_VARIABLE = 'HOOKCTL_TARGET_PASSWORD';

/**
 * A URL's user and password never go into a command as text (it is shown, copied, kept in shell
 * history): the URL without them, and `--user` taking the password from HOOKCTL_TARGET_PASSWORD,
 * which the shell asks for by name when it is not set.
 */
function withoutCredentials(url: string): { bare: string; user?: string[] } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { bare: url };
  }
  if (parsed.username === '' && parsed.password === '') return { bare: url };
  const user = decodeURIComponent(parsed.username);
  const hadPassword = parsed.password !== '';
  parsed.username = '';
  parsed.password = '';
  if (!hadPassword) return { bare: parsed.href, user: [`  --user ${shellQuote(`${user}:`)}`] };
  const variable = TARGET_PASSWORD_VARIABLE;
  return { bare: parsed.href, user: [`  --user ${shellQuote(`${user}:`)}"\${${variable}:?set ${variable} to the password of ${user.replace(/["$`\\}]/g, '')} at ${parsed.host}}"`] };
}

/**
 * A curl command that sends these exact bytes: a file is referenced, text is quoted inline, and
 * anything a shell argument cannot carry (binary, NUL) is piped in from base64.
 */
export function curlCommand({ url, method = 'POST', headers, body, file }: CurlRequest): string {
  const headerArgs = Object.entries(headers).map(([name, value]) => `  -H ${shellQuote(`${name}: ${value}`)}`);
  const { bare, user } = withoutCredentials(url);
  const request = [`curl -sS -X ${method.toUpperCase()} ${shellQuote(bare)}`, ...(user ?? []), ...headerArgs];
  if (file !== undefined && file !== '-') return [...request, `  --data-binary @${shellQuote(file)}`].join(' \\\n');
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (isArgumentSafe(bytes)) return [...request, `  --data-binary ${shellQuote(bytes.toString('utf8'))}`].join(' \\\n');
  return `printf %s ${shellQuote(bytes.toString('base64'))} | base64 -d | ${[...request, '  --data-binary @-'].join(' \\\n')}`;
}
