import type { HeaderMap } from '../types.js';

/** What a handshake sees of a request: the listener reads the body first, GET bodies are empty. */
export interface HandshakeRequest {
  method: string;
  /** Path and query as requested. */
  url: string;
  headers: HeaderMap;
  body: Uint8Array;
  /** The listener's secrets (Zoom's answer is an HMAC with the secret token; Meta's verify token). */
  secrets: readonly string[];
}

/** How the listener answers a provider's URL challenge instead of treating it as a delivery. */
export interface HandshakeReply {
  status: number;
  contentType: string;
  body: string;
  /** One line for people: what was answered. Never holds a secret. */
  note: string;
  /** Headers the provider expects back (Asana's X-Hook-Secret). */
  headers?: Record<string, string>;
}

/** A provider's URL challenge (subscribe/verify handshake), one file each. */
export interface Handshake {
  /** `slack-url-verification`. */
  readonly name: string;
  /** The `--scheme` values it belongs to; `auto` answers every handshake. */
  readonly schemes: readonly string[];
  /**
   * Whether the challenge carries the provider's signature (Slack, Zoom, Twitch, SNS): then the
   * listener answers only once it verified, as the provider's docs require.
   */
  readonly signed: boolean;
  /** Whether it arrives as a GET (Meta, Dropbox, Okta), which the door lets in only for it. */
  readonly method: 'GET' | 'POST';
  /** The reply, a note to show beside an ordinary delivery (SNS), or undefined when this is not the challenge. */
  answer(request: HandshakeRequest): HandshakeReply | { note: string } | undefined;
  /** The challenge as the provider sends it, for `send --event <type>`: the event type and the body. */
  readonly sample?: { type: string; body: () => string };
}
