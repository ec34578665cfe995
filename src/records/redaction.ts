/**
 * What the stored-record format puts in place of a header the listener would not keep: its own
 * secret, or a credential of the sender. The listener writes these placeholders
 * (src/listen/redact.ts); whatever forwards from a stored record (the outbox, a queue worker)
 * leaves them out.
 */
export const REDACTED = '[redacted: listener secret]';
export const REDACTED_CREDENTIAL = '[redacted: credential; --keep-header to keep]';

/**
 * A stored delivery's headers as the app should get them: a header the listener redacted (a
 * credential, or its own secret) holds a placeholder, not the value, so it is left out rather
 * than passed on. Forwards from the outbox after a restart, and from a Redis queue, are built from
 * stored records; keep a credential header for them with --keep-header.
 */
export function headersForApp(stored: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in stored) {
    const value = stored[name]!;
    if (value !== REDACTED && value !== REDACTED_CREDENTIAL) out[name] = value;
  }
  return out;
}
