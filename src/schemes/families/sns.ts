import { createSign, createVerify, type KeyObject } from 'node:crypto';
import { BadSecretError, signatureBase64 } from '../crypto.js';
import { clip, jsonBody, mismatch, rejected, verified } from '../common.js';
import { hasHeader } from '../headers.js';
import { privateKeyFromText, publicKeyFromText } from '../keys.js';
import type { ProviderMeta } from '../provider.js';
import type { Scheme, SignInput } from '../types.js';
import { bodyObject } from './in-body.js';

const NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'];
const SUBSCRIPTION_FIELDS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
export const SNS_TEST_TOPIC = 'arn:aws:sns:us-east-1:123456789012:hookctl-test';
/** Where a signed test message says its certificate is. Never fetched by hookctl: the user names the certificate. */
export const SNS_TEST_CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-hookctl-test.pem';

/**
 * The string AWS SNS signs: each field name and value on its own line, in this order, for the
 * fields present (Subject is optional) — docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html.
 */
export function snsCanonicalString(message: Record<string, unknown>): string {
  const fields = message.Type === 'SubscriptionConfirmation' || message.Type === 'UnsubscribeConfirmation' ? SUBSCRIPTION_FIELDS : NOTIFICATION_FIELDS;
  let text = '';
  for (const field of fields) {
    const value = message[field];
    if (value === undefined || value === null) continue;
    text += `${field}\n${String(value)}\n`;
  }
  return text;
}

const DIGESTS: Record<string, string> = { '1': 'RSA-SHA1', '2': 'RSA-SHA256' };

/**
 * AWS SNS: an RSA signature inside the JSON message (SignatureVersion 1 = SHA1withRSA, 2 =
 * SHA256withRSA) over the canonical field string, by the key of the certificate at
 * SigningCertURL. hookctl never fetches that URL: verifying takes the certificate (or public key)
 * you name with --public-key, and sending signs with --private-key, writing a test SigningCertURL.
 */
export function snsSignature(meta: ProviderMeta): Scheme {
  const name = meta.name;
  return {
    name,
    title: meta.title,
    timestamped: false,
    signatureHeaders: [],
    keyEncoding: 'utf8',
    checkVerifyingKey: (text) => void publicKeyFromText(text, 'rsa'),
    detect: (headers) => hasHeader(headers, 'x-amz-sns-message-type'),
    signBody({ body, secret, timestamp, id }: SignInput): Uint8Array {
      let message: Record<string, unknown>;
      const parsed = jsonBody(body) as Record<string, unknown> | undefined;
      if (parsed && typeof parsed === 'object' && typeof parsed.Type === 'string') {
        message = { ...bodyObject(name, body) };
      } else {
        // Any other body becomes the Message of a Notification, as SNS delivers a published one.
        message = { Type: 'Notification', MessageId: id, TopicArn: SNS_TEST_TOPIC, Message: Buffer.from(body).toString('utf8') };
      }
      message.Timestamp = new Date(timestamp * 1000).toISOString();
      message.SignatureVersion = message.SignatureVersion === '1' ? '1' : '2';
      const signer = createSign(DIGESTS[message.SignatureVersion as string]!);
      signer.update(snsCanonicalString(message), 'utf8');
      message.Signature = signer.sign(privateKeyFromText(secret, 'rsa')).toString('base64');
      message.SigningCertURL ??= SNS_TEST_CERT_URL;
      if (message.Type === 'Notification') message.UnsubscribeURL ??= `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${SNS_TEST_TOPIC}:hookctl`;
      return Buffer.from(JSON.stringify(message), 'utf8');
    },
    sign: () => ({}),
    verify(input) {
      const message = jsonBody(input.body) as Record<string, unknown> | undefined;
      if (!message || typeof message !== 'object' || typeof message.Signature !== 'string') return rejected(name, 'missing_signature', 'the body is not an SNS message with a "Signature"');
      const digest = DIGESTS[String(message.SignatureVersion)];
      if (!digest) return rejected(name, 'malformed_signature_header', `SignatureVersion "${clip(String(message.SignatureVersion))}" is neither 1 (SHA1withRSA) nor 2 (SHA256withRSA)`);
      const signature = signatureBase64(message.Signature);
      if (!signature) return rejected(name, 'malformed_signature_header', `the Signature "${clip(message.Signature)}" is not base64`);
      if (input.secrets.length === 0) return rejected(name, 'no_secret', 'no certificate was given to verify with (--public-key FILE, the PEM certificate at SigningCertURL); hookctl never fetches it');
      const canonical = snsCanonicalString(message);
      let usable = 0;
      let problem = '';
      for (let index = 0; index < input.secrets.length; index++) {
        let key: KeyObject;
        try {
          key = publicKeyFromText(input.secrets[index]!, 'rsa');
        } catch (error) {
          if (!(error instanceof BadSecretError)) throw error;
          problem = error.message;
          continue;
        }
        usable++;
        const verifier = createVerify(digest);
        verifier.update(canonical, 'utf8');
        if (verifier.verify(key, signature)) return verified(name, index, `SNS SignatureVersion ${String(message.SignatureVersion)} verified against the certificate given (SigningCertURL not fetched)`);
      }
      if (usable === 0) return rejected(name, 'bad_secret_format', problem);
      return mismatch(name, input, 1, `${digest} over the canonical string of the message's fields`);
    },
    explainParts: ({ body }) => {
      const message = jsonBody(body) as Record<string, unknown> | undefined;
      const signature = message && typeof message === 'object' && typeof message.Signature === 'string' ? message.Signature : undefined;
      return {
        header: '',
        signed: signature === undefined ? null : { prefix: snsCanonicalString(message!), includesBody: false, suffix: '' },
        timestamp: null,
        received: signature === undefined ? [] : [signature],
        verifyOnly: 'a certificate verifies the signature; it cannot compute one (SigningCertURL is not fetched)',
      };
    },
    deliveryHeaders: (event) => meta.deliveryHeaders(event),
    eventId: (headers, body) => meta.eventId(headers, body),
    signsEventId: () => meta.idSigned,
    stableSignature: () => undefined,
    eventType: (headers, body) => meta.eventType(headers, body),
  };
}
