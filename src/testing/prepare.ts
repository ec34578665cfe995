/**
 * One delivery made ready to sign, as `hookctl send` makes it (src/send/event.ts: the provider's
 * headers, a Content-Type, a fresh id swapped into a sample's body, the user's headers last),
 * with the clock and the tampering of the test options. Every signing function of
 * `hookctl/testing` is this plus a way of handing the result over.
 */
import { defaultContentType } from '../send/content-type.js';
import { EventFactory, type EventTemplate, type SendPlan } from '../send/event.js';
import { minimalTemplate } from '../send/minimal-events.js';
import { createPublicKey } from 'node:crypto';
import type { Scheme, SignInput } from '../schemes/types.js';
import { bodyBytes, reserializedBody } from './body.js';
import { asTypeError, nowMs, offsetMs, schemeSettings, signingKey, signingScheme, toleranceMs, wrongSecretFor, type SignOptions } from './options.js';
import { findSample, type Sample } from './samples.js';

/** A delivery ready to sign: where it goes, and its headers and bytes for any attempt's moment. */
export interface PreparedDelivery {
  /** The scheme it is signed with. */
  readonly scheme: Scheme;
  /** Where to post: the URL given (Twilio: with its bodySHA256 for a JSON body). */
  readonly url: string | undefined;
  /** `POST`, or the method of the sample. */
  readonly method: string;
  /** The event id the receiving app reads from what is sent (header or body), if it carries one. */
  readonly eventId: string | undefined;
  /** The event type, if known. */
  readonly eventType: string | undefined;
  /** One attempt, signed at `at` (Unix ms) or at the options' `now`: its headers and the bytes to send. */
  attempt(at?: number): PreparedAttempt;
}

/** Where the bytes of a delivery come from: the given body, a sample, or a minimal event. */
function templateFor(options: SignOptions, scheme: Scheme, source: SampleSource): EventTemplate {
  if (options.body !== undefined) {
    const body = bodyBytes(options.body);
    const bodyEventId = scheme.eventId({}, body);
    return {
      body,
      contentType: defaultContentType(scheme.name, body),
      eventType: options.event ?? scheme.eventType({}, body),
      eventId: bodyEventId,
      bodyEventId,
      rewritable: false,
      method: 'POST',
      source: 'body',
    };
  }
  if (!source.lookedUp) throw new TypeError('body: sign needs the bytes to sign; for a sample event, `await signedDelivery({ scheme, secret, event })` gives its headers and its bytes');
  const { sample } = source;
  if (sample) {
    const body = Buffer.from(sample.body);
    return {
      body,
      contentType: sample.headers['content-type'] ?? defaultContentType(scheme.name, body),
      eventType: sample.event,
      eventId: sample.eventId ?? scheme.eventId(sample.headers, body),
      bodyEventId: scheme.eventId({}, body),
      rewritable: true,
      method: 'POST',
      source: `sample ${scheme.name}/${sample.event}`,
    };
  }
  // No sample (a scheme without one, or an event type none has): a minimal event of that type, as `send --event`.
  return minimalTemplate(scheme.name, options.event);
}

/** GitHub's X-GitHub-Event carries no action: `pull_request`, not `pull_request.opened`. */
function headerType(scheme: Scheme, type: string | undefined): string | undefined {
  if (type === undefined) return undefined;
  return scheme.name === 'github' ? type.split('.')[0] : type;
}

function namesToDrop(missing: SignOptions['missingHeader'], scheme: Scheme): Set<string> {
  if (missing === undefined || missing === false) return new Set();
  if (missing === true) return new Set(scheme.signatureHeaders.map((name) => name.toLowerCase()));
  return new Set((typeof missing === 'string' ? [missing] : missing).map((name) => name.toLowerCase()));
}

/** The sample looked up for a delivery without a body (undefined when there is none), or not looked up (sign). */
export type SampleSource = { lookedUp: true; sample: Sample | undefined } | { lookedUp: false };

/** Prepares a delivery, reading the sample of `event` first when no body is given. */
export function prepareWithSample(options: SignOptions, target: string | undefined, mode: 'send' | 'sign'): PreparedDelivery {
  if (options === null || typeof options !== 'object') throw new TypeError('options: expected { scheme, secret, … }');
  if (options.body !== undefined) return prepareDelivery(options, target, mode, { lookedUp: false });
  const scheme = signingScheme(options.scheme, schemeSettings(options));
  return prepareDelivery(options, target, mode, { lookedUp: true, sample: findSample(scheme.name, options.event) });
}

/** One attempt of a delivery: its headers and the bytes it sends. */
export interface PreparedAttempt {
  headers: Record<string, string>;
  body: Buffer;
}

/** What some schemes add to the `Scheme` interface: read where present, so any scheme works. */
interface SchemeExtras {
  /** In-body schemes (Mailgun, SNS): the body as sent, with the signature written into it. */
  signBody?(input: SignInput): Uint8Array;
}

/** The key that verifies what `secret` signs: the secret itself, or a PEM private key's public half. */
function verifyingKey(secret: string): string {
  if (!secret.includes('PRIVATE KEY-----')) return secret;
  return createPublicKey(secret).export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * Prepares one delivery. `target` is where it will be posted (send, signedRequest); `mode` says
 * whether the caller sends our bytes (`send`) or only takes our headers (`sign`), which decides
 * which side of `reserialize` the signature is on.
 */
export function prepareDelivery(options: SignOptions, target: string | undefined, mode: 'send' | 'sign', source: SampleSource): PreparedDelivery {
  if (options === null || typeof options !== 'object') throw new TypeError('options: expected { scheme, secret, … }');
  const scheme = signingScheme(options.scheme, schemeSettings(options));
  const key = signingKey(options);
  const extras = scheme as Scheme & SchemeExtras;
  const signBody = extras.signBody?.bind(scheme);
  if (signBody && mode === 'sign') throw new TypeError(`sign: ${scheme.name} writes its signature into the body; \`await signedDelivery(…)\` gives the body with it`);
  const staleMs = options.stale === true ? 2 * toleranceMs(scheme) : offsetMs(options.stale, 'stale');
  const futureMs = options.futureTimestamp === true ? 2 * toleranceMs(scheme) : offsetMs(options.futureTimestamp, 'futureTimestamp');
  if ((staleMs > 0 || futureMs > 0) && !scheme.timestamped) {
    throw new TypeError(`${staleMs > 0 ? 'stale' : 'futureTimestamp'}: ${scheme.name} signs no timestamp, so no delivery of it is ever too old or too new`);
  }
  const signingUrl = options.url ?? target;
  if (scheme.targetUrl && signingUrl === undefined) throw new TypeError(`url: ${scheme.name} signs the URL the provider posts to; pass it as the url option`);
  const url = target ?? signingUrl ?? 'http://localhost/';
  const headerOverrides = Object.entries(options.headers ?? {});
  const plan: SendPlan = { scheme, secret: key, url, ...(signingUrl !== undefined ? { signingUrl } : {}), headerOverrides };
  const template = templateFor(options, scheme, source);
  const event = asTypeError(() => new EventFactory(template, plan).make(options.id !== undefined ? { id: options.id } : {}));

  const secret = options.wrongSecret === undefined || options.wrongSecret === false ? key : options.wrongSecret === true ? wrongSecretFor(key, scheme) : options.wrongSecret;
  // sign() returns headers for the caller's own bytes: with reserialize they are the re-emitted bytes' headers.
  const signedBody = mode === 'sign' && options.reserialize ? reserializedBody(event.body) : event.body;
  // The URL a provider signs: its own form of it where it adds to it (Twilio's bodySHA256), else as given (Pub/Sub's audience).
  const signedUrl = scheme.targetUrl ? scheme.targetUrl(signingUrl!, signedBody) : signingUrl;
  const postUrl = target === undefined ? undefined : scheme.targetUrl ? scheme.targetUrl(target, signedBody) : target;
  const type = headerType(scheme, event.type);
  const provider = scheme.deliveryHeaders(type ? { id: event.id, type } : { id: event.id });
  const drop = namesToDrop(options.missingHeader, scheme);
  const overrideNames = new Set(headerOverrides.map(([name]) => name.toLowerCase()));
  const clock = options.now;
  let checked = false;

  // stale and futureTimestamp are left out: a handler may keep a tighter tolerance than its provider's.
  const spoilers = (['reserialize', 'wrongSecret', 'missingHeader'] as const).filter((name) => options[name] !== undefined && options[name] !== false);

  /**
   * A spoiled delivery that a correct handler would accept all the same is a test that cannot
   * fail: it is checked once, with the right key, at the moment it was signed for.
   */
  function checkSpoiled(attempt: PreparedAttempt, signedAt: number, dropped: number): void {
    if (drop.size > 0 && dropped === 0) {
      throw new TypeError(`missingHeader: ${options.missingHeader === true ? `${scheme.name} carries its signature in no header` : `${scheme.name} sends no ${[...drop].join(' or ')} header`}, so leaving it out changes nothing`);
    }
    if (spoilers.length === 0) return;
    let verifies = false;
    try {
      verifies = scheme.verify({ body: attempt.body, headers: lowerCased(attempt.headers), secrets: [verifyingKey(key)], toleranceSeconds: toleranceMs(scheme) / 1000, nowMs: signedAt, ...(signedUrl !== undefined ? { url: signedUrl } : {}) }).verified;
    } catch {
      verifies = false;
    }
    if (verifies) {
      const why = spoilers.includes('reserialize') ? ': its signature does not cover the body byte for byte' : '';
      const others = (['wrongSecret', 'missingHeader'] as const).filter((name) => !spoilers.includes(name));
      throw new TypeError(`${spoilers.join(' and ')}: this ${scheme.name} delivery verifies all the same${why}, so a correct handler accepts it${others.length ? `; spoil it another way (${others.join(', ')})` : ''}`);
    }
  }

  return {
    scheme,
    url: postUrl,
    method: event.template.method,
    eventId: event.eventId,
    eventType: event.type,
    attempt(at?: number): PreparedAttempt {
      const timestamp = Math.floor(((at ?? nowMs(clock)) - staleMs + futureMs) / 1000);
      const input = { body: signedBody, secret, timestamp, id: event.id, ...(signedUrl !== undefined ? { url: signedUrl } : {}) };
      // In-body schemes (Mailgun, SNS) sign by writing into the body, anew for every attempt, as send does.
      const written = signBody ? Buffer.from(asTypeError(() => signBody(input))) : signedBody;
      const signature = asTypeError(() => scheme.sign({ ...input, body: written }));
      // As send: the provider's headers, a Content-Type when they have none, the signature (which wins), the user's last.
      const headers: Record<string, string> = { ...provider };
      if (template.contentType !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['Content-Type'] = template.contentType;
      Object.assign(headers, signature);
      let dropped = 0;
      for (const name of Object.keys(headers)) {
        if (drop.has(name.toLowerCase())) dropped++;
        if (overrideNames.has(name.toLowerCase()) || drop.has(name.toLowerCase())) delete headers[name];
      }
      for (const [name, value] of headerOverrides) if (!drop.has(name.toLowerCase())) headers[name] = value;
      const body = mode === 'send' && options.reserialize ? reserializedBody(written) : mode === 'send' ? written : event.body;
      const attempt = { headers, body };
      if (!checked) {
        checkSpoiled(attempt, timestamp * 1000, dropped);
        checked = true;
      }
      return attempt;
    },
  };
}

function lowerCased(headers: Record<string, string>): Record<string, string> {
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  return lower;
}
