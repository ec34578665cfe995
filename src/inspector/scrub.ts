/**
 * The last line of defence for "no secret value ever reaches the page": every JSON answer is
 * searched for the configured secrets (as written and as JSON escapes them) and they are replaced.
 * Headers are already redacted by the listener, but a fixture file, a path or a body can carry a
 * secret too. A body that holds one is not offered as curl or as a fixture download at all.
 */
const REDACTED = '[redacted: secret]';

export class SecretScrubber {
  /** Each secret and the key text inside a prefixed one (`whsec_<key>`). */
  private readonly texts: string[];

  constructor(secrets: readonly string[]) {
    const texts = new Set<string>();
    for (const secret of secrets) {
      if (secret.length === 0) continue;
      texts.add(secret);
      const key = /^(?:whsec|whsk)_(.{8,})$/.exec(secret)?.[1];
      if (key) texts.add(key);
    }
    // Longest first, so a secret containing another is replaced whole.
    this.texts = [...texts].sort((a, b) => b.length - a.length);
  }

  /** True when the bytes hold a secret. */
  contains(bytes: Uint8Array): boolean {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return this.texts.some((text) => buffer.includes(text));
  }

  /** JSON text of `value` with every secret replaced. */
  json(value: unknown): string {
    let text = JSON.stringify(value);
    if (this.texts.length === 0) return text;
    let changed = false;
    for (const secret of this.texts) {
      for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) {
        if (text.includes(form)) {
          text = text.split(form).join(REDACTED);
          changed = true;
        }
      }
    }
    if (changed) {
      // A secret spanning JSON syntax would leave broken JSON: refuse rather than show it.
      JSON.parse(text);
    }
    return text;
  }
}
