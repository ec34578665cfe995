/**
 * The last line of defence for "no secret value ever reaches the page": every JSON answer is
 * searched for the configured secrets (in every spelling the listener redacts, and as JSON escapes
 * them) and they are replaced.
 * Headers are already redacted by the listener, but a fixture file, a path or a body can carry a
 * secret too. A body that holds one is not offered as curl or as a fixture download at all.
 */
import { secretPattern, secretSpellings } from '../text/secret-spellings.js';

const REDACTED = '[redacted: secret]';

export class SecretScrubber {
  /** Every spelling of every secret (as the listener redacts them), and as JSON escapes each: one case-insensitive pattern. */
  private readonly pattern: RegExp | undefined;

  constructor(secrets: readonly string[]) {
    const forms = secrets.filter((secret) => secret.length > 0).flatMap(secretSpellings);
    this.pattern = secretPattern([...forms, ...forms.map((form) => JSON.stringify(form).slice(1, -1))]);
  }

  /** True when the bytes hold a secret, in any spelling. */
  contains(bytes: Uint8Array): boolean {
    if (!this.pattern) return false;
    this.pattern.lastIndex = 0;
    return this.pattern.test(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  }

  /** JSON text of `value` with every secret replaced. */
  json(value: unknown): string {
    const text = JSON.stringify(value);
    if (!this.pattern) return text;
    const scrubbed = text.replace(this.pattern, REDACTED);
    // A secret spanning JSON syntax would leave broken JSON: refuse rather than show it.
    if (scrubbed !== text) JSON.parse(scrubbed);
    return scrubbed;
  }
}
