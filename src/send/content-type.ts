/**
 * The Content-Type a webhook body goes out with when the scheme's own headers set none: what the
 * provider would send. Shared by send and sign (whose printed headers must be complete).
 */

/** Schemes whose providers only ever send JSON; anything else would never verify in a real handler's parser. */
export const JSON_SCHEMES: ReadonlySet<string> = new Set(['stripe', 'standard', 'svix', 'github', 'slack', 'shopify']);

export function isJson(body: Buffer): { ok: true } | { ok: false; reason: string } {
  try {
    JSON.parse(body.toString('utf8'));
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: (error as Error).message.split('\n')[0]!.replace(/, ".*" is not valid JSON$/, '') };
  }
}

function looksLikeJson(body: Buffer): boolean {
  return isJson(body).ok;
}

/** The Content-Type a body needs when the scheme's own headers do not set one. */
export function defaultContentType(scheme: string, body: Buffer): string {
  if (JSON_SCHEMES.has(scheme)) return 'application/json';
  if (looksLikeJson(body)) return 'application/json';
  if (scheme === 'twilio') return 'application/x-www-form-urlencoded; charset=UTF-8';
  return 'application/octet-stream';
}

