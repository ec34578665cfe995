/**
 * What proving every provider's samples needs in both the in-process test
 * (test/records/sample-catalog.test.ts) and the CLI one (test/listen/every-sample.test.ts): key
 * material for the providers that sign with a key, and the event type the listener shows for a
 * sample where it is not the sample's own name.
 */
import { generateKeyPairSync } from 'node:crypto';

/** A Standard Webhooks secret (base64 behind whsec_); every other shared-secret scheme takes the string as it is. */
export const SHARED_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

export interface KeyText {
  /** What send signs with: the secret, or a PKCS#8 PEM private key (--private-key). */
  sign: string;
  /** What listen verifies with: the secret, or an SPKI PEM public key (--public-key). */
  verify: string;
}

/** Fresh test key pairs for the providers that sign with a private key. */
export function providerKeys(): Record<string, KeyText> {
  const pem = (pair: ReturnType<typeof generateKeyPairSync>) => ({ sign: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), verify: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
  return {
    discord: pem(generateKeyPairSync('ed25519')),
    telnyx: pem(generateKeyPairSync('ed25519')),
    sendgrid: pem(generateKeyPairSync('ec', { namedCurve: 'P-256' })),
    plaid: pem(generateKeyPairSync('ec', { namedCurve: 'P-256' })),
    pubsub: pem(generateKeyPairSync('rsa', { modulusLength: 2048 })),
    sns: pem(generateKeyPairSync('rsa', { modulusLength: 2048 })),
  };
}

/** Samples the listener answers as a URL challenge instead of taking them as an event. */
export const HANDSHAKE_SAMPLES: Readonly<Record<string, string>> = {
  slack: 'url_verification',
  zoom: 'endpoint.url_validation',
  twitch: 'webhook_callback_verification',
};

/**
 * Where the catalog names a sample by what the provider calls the event and the listener shows
 * what the delivery itself says, the types it may show; else the sample's own name.
 */
const SHOWN: Readonly<Record<string, (event: string, headerType: string | undefined) => readonly (string | undefined)[]>> = {
  // The action is read only when it leads the body (a cheap read); X-GitHub-Event alone otherwise.
  github: (event, headerType) => [event, headerType],
  // Slack's envelope type (event_callback) is its type, the inner event in event.type.
  slack: (event) => [event.startsWith('event_callback.') ? 'event_callback' : event],
  // The call's status: an incoming call is ringing.
  twilio: (event) => [event === 'call.incoming' ? 'call.ringing' : event],
  // GitLab's object_kind (merge_request); the action is in object_attributes.
  gitlab: (event) => [event.split('.')[0]],
  // Replicate posts the prediction; the webhook_events_filter names (start, output, logs, completed) are not in it.
  replicate: (event) => ({ start: ['starting'], output: ['processing'], logs: ['processing'], completed: ['succeeded', 'failed', 'canceled'] })[event] ?? [event],
  // Netlify sends no event name: one hook per event, and the deploy's state in the body.
  netlify: (event) => [({ deploy_building: 'building', deploy_created: 'ready', deploy_failed: 'error' } as Record<string, string>)[event] ?? event],
  // A push carries attributes only where the publisher set them (eventType: GCS's OBJECT_FINALIZE).
  pubsub: (event) => [event === 'message' ? 'pubsub.message' : event.replace(/^storage\./, '')],
};

/** The event types the listener may show for a sample of this scheme. */
export function shownTypes(scheme: string, event: string, headerType?: string): readonly (string | undefined)[] {
  return SHOWN[scheme]?.(event, headerType) ?? [event];
}
