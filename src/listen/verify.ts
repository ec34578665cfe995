import type { IncomingHttpHeaders } from 'node:http';
import { getScheme, resolveScheme, verifyWith } from '../schemes/registry.js';
import type { Scheme, SchemeOptions, VerifyResult } from '../schemes/types.js';

export interface Verdict {
  /** The scheme the delivery was signed with (or detected by its headers), if any. */
  scheme: Scheme | undefined;
  /** null when no secret is configured: nothing is verified. */
  verification: VerifyResult | null;
}

export interface VerifyOptions {
  scheme: string;
  schemeOptions: SchemeOptions;
  secrets: readonly string[];
  toleranceSeconds: number | undefined;
  now: () => number;
  /** The public URL providers post to (Twilio signs it); else the URL is built from Host. */
  publicUrl: string | undefined;
}

/** The signature check on the raw bytes: a named scheme, or `auto` resolved per request. */
export class VerifyStage {
  /** A fixed scheme is built once; `auto` is resolved per request. */
  private readonly fixedScheme: Scheme | undefined;

  /** The secrets, for the handshakes that answer with them (Zoom's encryptedToken, Meta's verify token). */
  get secrets(): readonly string[] {
    return this.options.secrets;
  }

  constructor(private readonly options: VerifyOptions) {
    this.fixedScheme = options.scheme === 'auto' ? undefined : getScheme(options.scheme, options.schemeOptions);
  }

  /**
   * `base` (scheme and host) and `path` make the URL the sender posted to, which Twilio signs;
   * `signedUrl`, when given, is that URL as a whole (a relayed delivery's ingress URL).
   */
  check(headers: IncomingHttpHeaders, body: Buffer, path: string, base: string, signedUrl?: string): Verdict {
    const { options } = this;
    if (options.secrets.length === 0) {
      return { scheme: this.fixedScheme ?? resolveScheme(options.scheme, headers, options.schemeOptions), verification: null };
    }
    const url = signedUrl ?? (options.publicUrl ? new URL(path, options.publicUrl).href : `${base}${path}`);
    const checked = verifyWith(options.scheme, { body, headers, secrets: options.secrets, ...(options.toleranceSeconds !== undefined ? { toleranceSeconds: options.toleranceSeconds } : {}), nowMs: options.now(), url }, options.schemeOptions);
    return { scheme: checked.scheme, verification: checked.result };
  }
}
