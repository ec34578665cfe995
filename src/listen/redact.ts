import { secretPattern, secretSpellings } from '../text/secret-spellings.js';
import type { IncomingMessage } from 'node:http';
import { headersForApp, REDACTED, REDACTED_CREDENTIAL } from '../records/redaction.js';

// Re-exported for the forwards built here from stored records.
export { headersForApp };

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
 * What is safe to store and show of a delivery. Signature headers stay (replay --as-is needs them,
 * and they are MACs over this body, not keys); the sender's credentials go unless kept with
 * --keep-header; a header holding the listener's own secret, in any spelling, always goes, and the
 * secret is cut out of the path (a token in the query string).
 */
export class Redactor {
  private readonly keep: ReadonlySet<string>;
  /** Every spelling of every secret, lower case. */
  private readonly needles: readonly string[];
  private readonly pattern: RegExp | undefined;

  constructor(secrets: readonly string[], keepHeaders: readonly string[] = []) {
    this.keep = new Set(keepHeaders.map((name) => name.toLowerCase()));
    this.needles = [...new Set(secrets.flatMap(secretSpellings))].sort((a, b) => b.length - a.length);
    this.pattern = secretPattern(this.needles);
  }

  headers(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key in headers) {
      let text = headers[key]!;
      if (isCredentialHeader(key) && !this.keep.has(key)) text = REDACTED_CREDENTIAL;
      else if (this.holdsSecret(text)) text = REDACTED;
      out[key] = text;
    }
    return out;
  }

  /** The path and query as received, with any spelling of the secret replaced. */
  path(path: string): string {
    return this.holdsSecret(path) ? path.replace(this.pattern!, '[redacted]') : path;
  }

  private holdsSecret(text: string): boolean {
    if (this.needles.length === 0) return false;
    const lower = text.toLowerCase();
    for (const needle of this.needles) if (lower.includes(needle)) return true;
    return false;
  }
}
