import type { IncomingMessage } from 'node:http';

const REDACTED = '[redacted: listener secret]';
const REDACTED_CREDENTIAL = '[redacted: credential; --keep-header to keep]';

/** Headers that carry a credential of the sender (not a MAC over the body): redacted unless kept. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key', 'apikey', 'x-apikey', 'x-auth-token', 'x-access-token', 'x-amz-security-token', 'x-csrf-token', 'x-xsrf-token']);
const CREDENTIAL_PATTERN = /(?:^|-)(?:api-?key|auth-?token|access-?token|password|passwd)$/;

export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADERS.has(name) || CREDENTIAL_PATTERN.test(name);
}

/** Headers as received, repeats folded: what the app behind the listener gets. */
export function receivedHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = req.headers;
  for (const key in raw) {
    const value = raw[key];
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * Headers safe to store and show. Signature headers stay (replay --as-is needs them, and they are
 * MACs over this body, not keys); the sender's credentials go unless kept with --keep-header; a
 * header holding the listener's own secret always goes.
 */
export class Redactor {
  private readonly keep: ReadonlySet<string>;

  constructor(
    private readonly secrets: readonly string[],
    keepHeaders: readonly string[] = [],
  ) {
    this.keep = new Set(keepHeaders.map((name) => name.toLowerCase()));
  }

  headers(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key in headers) {
      let text = headers[key]!;
      if (isCredentialHeader(key) && !this.keep.has(key)) text = REDACTED_CREDENTIAL;
      for (const secret of this.secrets) if (text.includes(secret)) text = REDACTED;
      out[key] = text;
    }
    return out;
  }
}
