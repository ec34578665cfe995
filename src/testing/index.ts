/**
 * `hookctl/testing`: webhook tests in your own test suite, for every provider hookctl knows.
 *
 * - `sign`, `signedDelivery`, `signedRequest`: a provider's delivery, signed, without a network.
 * - `send`: one signed delivery over HTTP, with the retry policy of `hookctl send` if asked.
 * - `startReceiver`: a verifying listener on a free loopback port, for code that sends webhooks.
 * - `verify`: a signature checked as `hookctl verify` checks it.
 * - `samples`: the provider sample events of `hookctl samples`, by scheme and event.
 * - `webhookMatchers`: `toBeAcceptedWebhook()` and `toBeRefusedWebhook()` for vitest and jest.
 *
 * Bodies are bytes end to end; `now` and `id` make a delivery deterministic; `stale`,
 * `futureTimestamp`, `reserialize`, `wrongSecret` and `missingHeader` spoil it on purpose.
 * @packageDocumentation
 */
export { sign, signedDelivery, signedRequest, type SignedDelivery } from './sign.js';
export { send, type RetryOptions, type SendAttempt, type SendOptions, type SendResult } from './send.js';
export { startReceiver, type Receiver, type ReceiverOptions, type ReceivedDelivery, type WaitOptions } from './receiver.js';
export { verify, type HeadersLike, type VerifyingKey, type VerifyOptions, type VerifyOutcome, type VerifySettings } from './verify.js';
export { samples, type Sample, type SampleName } from './samples.js';
export { bodyBytes, type JsonValue, type WebhookBody } from './body.js';
export { webhookMatchers, type WebhookMatchers } from './matchers.js';
/** Every `--scheme` name, hence every provider the functions here sign, send and verify as. */
export { SCHEME_NAMES as schemes } from '../schemes/names.js';
export type { Duration, SchemeSettings, SigningKey, SignOptions, SignSettings, Tampering } from './options.js';
