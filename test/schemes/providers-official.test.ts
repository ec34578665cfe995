/**
 * Each provider with an official verifier on npm, judged by it both ways where it can sign:
 * sign with ours → verify with theirs, and sign with theirs (or their published vector) → verify
 * with ours. Where the library only verifies, the reverse uses the algorithm its source spells
 * out (cited). Libraries are devDependencies; nothing here touches the network.
 */
import { execFileSync } from 'node:child_process';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LinearWebhookClient } from '@linear/sdk/webhooks';
import Mux from '@mux/mux-node';
import { Paddle } from '@paddle/paddle-node-sdk';
import { verifyKey as discordVerifyKey } from 'discord-interactions';
import { importJWK, jwtVerify, SignJWT } from 'jose';
import { OAuth2Client } from 'google-auth-library';
import OpenAI from 'openai';
import { Resend } from 'resend';
import { WebhooksHelper as SquareWebhooks } from 'square';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { getScheme } from '../../src/schemes/registry.js';
import { signRequest } from '../../src/schemes/sign-request.js';
import { NOW_MS, NOW_S } from './support.js';

const require = createRequire(import.meta.url);
const { EventWebhook } = require('@sendgrid/eventwebhook') as { EventWebhook: new () => { convertPublicKeyToECDSA(key: string): unknown; verifySignature(key: unknown, payload: string, signature: string, timestamp: string): boolean } };
const razorpay = require('razorpay') as { validateWebhookSignature(body: string, signature: string, secret: string): boolean };
const { Webhook: CoinbaseWebhook } = require('coinbase-commerce-node') as { Webhook: { verifySigHeader(payload: string, signature: string, secret: string): boolean; computeSignature(payload: string, secret: string): string } };
const { Signature: HubSpotSignature } = require('@hubspot/api-client/lib/src/utils/signature.js') as {
  Signature: { isValid(options: Record<string, unknown>): boolean; getSignature(method: string, version: string, options: Record<string, unknown>): string };
};
const MessageValidator = require('sns-validator') as new (hostPattern?: RegExp) => { validate(message: string | object, callback: (error: Error | null, message?: unknown) => void): void };

const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const URL = 'https://example.com/webhooks/in?source=hookctl';
const BODIES = ['{"event_id":"evt_1","event_type":"transaction.completed","data":{"amount":"42.00"}}', '{"emoji":"héllo ✓ 🚀","n":[1,2,3]}\n', '{\r\n  "crlf": true\r\n}'];

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW_MS);
});
afterEach(() => vi.useRealTimers());

function ours(scheme: string, body: string, secret: string, extra: { id?: string; url?: string } = {}) {
  const signed = signRequest(getScheme(scheme), { body: Buffer.from(body), secret, timestamp: NOW_S, id: extra.id ?? 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', url: extra.url ?? URL });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value;
  return { headers, body: Buffer.from(signed.body).toString('utf8') };
}

function oursVerify(scheme: string, body: string | Buffer, headers: Record<string, string>, secret: string, url = URL, toleranceSeconds?: number) {
  return getScheme(scheme).verify({ body: Buffer.isBuffer(body) ? body : Buffer.from(body), headers, secrets: [secret], nowMs: NOW_MS, url, ...(toleranceSeconds !== undefined ? { toleranceSeconds } : {}) });
}

const rejects = async (fn: () => unknown) => {
  try {
    const value = await fn();
    return value === false;
  } catch {
    return true;
  }
};

describe('paddle: @paddle/paddle-node-sdk Webhooks.unmarshal', () => {
  const secret = 'pdl_ntfset_01hookctl_secret';
  it('ours signs → Paddle unmarshals; a changed body or a 6 s old signature is refused by both', async () => {
    // The client sets up the SDK's runtime (its HMAC provider); its webhooks helper is what apps call.
    const paddle = new Paddle('pdl_sdbx_apikey_hookctl').webhooks;
    // An event type the SDK does not model is unmarshalled as a generic event, any data shape.
    for (const body of ['{"event_id":"evt_1","event_type":"hookctl.test","occurred_at":"2026-11-23T10:00:00Z","notification_id":"ntf_1","data":{"amount":"42.00"}}']) {
      const { headers } = ours('paddle', body, secret);
      expect(headers['paddle-signature']).toMatch(/^ts=\d+;h1=[0-9a-f]{64}$/);
      const event = await paddle.unmarshal(body, secret, headers['paddle-signature']!);
      expect(event.eventId).toBe('evt_1');
      expect(await rejects(() => paddle.unmarshal(body.replace('42', '43'), secret, headers['paddle-signature']!))).toBe(true);
      // The SDK allows 5 s (MAX_VALID_TIME_DIFFERENCE); so does the scheme by default.
      vi.setSystemTime(NOW_MS + 6_000);
      expect(await paddle.isSignatureValid(body, secret, headers['paddle-signature']!)).toBe(false);
      expect(getScheme('paddle').verify({ body: Buffer.from(body), headers, secrets: [secret], nowMs: NOW_MS + 6_000 })).toMatchObject({ reason: 'timestamp_outside_tolerance' });
    }
  });
  it("a signature built as the SDK's validator builds it (`${parseInt(ts)}:${body}`) → ours verifies, every body", () => {
    for (const body of BODIES) {
      const h1 = createHmac('sha256', secret).update(`${NOW_S}:${body}`).digest('hex');
      expect(oursVerify('paddle', body, { 'paddle-signature': `ts=${NOW_S};h1=${h1}` }, secret)).toMatchObject({ verified: true });
    }
  });
});

describe('mux: @mux/mux-node webhooks.verifySignature', () => {
  const secret = 'mux-webhook-signing-secret';
  const mux = new Mux({ tokenId: 'x', tokenSecret: 'y', webhookSecret: secret });
  it('ours → Mux verifies; Mux computes → ours verifies (both ways, every body)', async () => {
    for (const body of BODIES) {
      const { headers } = ours('mux', body, secret);
      await expect(mux.webhooks.verifySignature(body, headers, secret)).resolves.toBeUndefined();
      expect(await rejects(() => mux.webhooks.verifySignature(`${body} `, headers, secret))).toBe(true);
      const theirs = await (mux.webhooks as unknown as { computeSignature(payload: string, secret: string): Promise<string> }).computeSignature(`${NOW_S}.${body}`, secret);
      expect(oursVerify('mux', body, { 'mux-signature': `t=${NOW_S},v1=${theirs}` }, secret)).toMatchObject({ verified: true });
    }
  });
});

describe('linear: @linear/sdk LinearWebhookClient.verify', () => {
  const secret = 'lin_wh_hookctl_secret';
  it('ours → Linear verifies, with webhookTimestamp written fresh into the body; 61 s later both refuse', () => {
    const client = new LinearWebhookClient(secret);
    const { headers, body } = ours('linear', '{"action":"create","type":"Issue","data":{"id":"i1","title":"é"},"webhookTimestamp":1}', secret);
    expect(JSON.parse(body).webhookTimestamp).toBe(NOW_S * 1000);
    expect(client.verify(Buffer.from(body), headers['linear-signature']!)).toBe(true);
    expect(oursVerify('linear', body, headers, secret)).toMatchObject({ verified: true });
    vi.setSystemTime(NOW_S * 1000 + 61_000);
    expect(() => client.verify(Buffer.from(body), headers['linear-signature']!)).toThrow(/timestamp/);
    expect(getScheme('linear').verify({ body: Buffer.from(body), headers, secrets: [secret], nowMs: NOW_S * 1000 + 61_000 })).toMatchObject({ reason: 'timestamp_outside_tolerance' });
  });
});

describe('discord: discord-interactions verifyKey', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicHex = publicKey.export({ type: 'spki', format: 'der' }).subarray(12).toString('hex');
  it("ours signs → verifyKey accepts with Discord's hex key; a changed body is refused by both", async () => {
    for (const body of BODIES) {
      const { headers } = ours('discord', body, privatePem);
      expect(await discordVerifyKey(body, headers['x-signature-ed25519']!, headers['x-signature-timestamp']!, publicHex)).toBe(true);
      expect(await discordVerifyKey(`${body}x`, headers['x-signature-ed25519']!, headers['x-signature-timestamp']!, publicHex)).toBe(false);
      expect(oursVerify('discord', body, headers, publicHex)).toMatchObject({ verified: true });
      expect(oursVerify('discord', `${body}x`, headers, publicHex)).toMatchObject({ verified: false, reason: 'signature_mismatch' });
    }
  });
});

describe('sendgrid: @sendgrid/eventwebhook EventWebhook.verifySignature', () => {
  it("the package's own published vector (eventwebhook.spec.js, timestamp 1600112502) verifies with ours", () => {
    const PUBLIC_KEY = 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==';
    const SIGNATURE = 'MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=';
    const PAYLOAD =
      JSON.stringify([
        {
          email: 'hello@world.com',
          event: 'dropped',
          reason: 'Bounced Address',
          sg_event_id: 'ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA',
          sg_message_id: 'LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0',
          'smtp-id': '<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>',
          timestamp: 1600112492,
        },
      ]) + '\r\n';
    const headers = { 'x-twilio-email-event-webhook-signature': SIGNATURE, 'x-twilio-email-event-webhook-timestamp': '1600112502' };
    const ew = new EventWebhook();
    expect(ew.verifySignature(ew.convertPublicKeyToECDSA(PUBLIC_KEY), PAYLOAD, SIGNATURE, '1600112502')).toBe(true);
    expect(oursVerify('sendgrid', PAYLOAD, headers, PUBLIC_KEY, URL, 0)).toMatchObject({ verified: true });
    expect(oursVerify('sendgrid', PAYLOAD.trimEnd(), headers, PUBLIC_KEY, URL, 0)).toMatchObject({ verified: false, reason: 'signature_mismatch' });
  });
  it('ours signs (ECDSA P-256, base64 DER) → SendGrid verifies with the base64 key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const publicB64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const ew = new EventWebhook();
    for (const body of ['[{"email":"a@example.com","event":"delivered","sg_event_id":"x"}]\r\n', ...BODIES]) {
      const { headers } = ours('sendgrid', body, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
      const key = ew.convertPublicKeyToECDSA(publicB64);
      expect(ew.verifySignature(key, body, headers['x-twilio-email-event-webhook-signature']!, headers['x-twilio-email-event-webhook-timestamp']!)).toBe(true);
      expect(ew.verifySignature(key, `${body} `, headers['x-twilio-email-event-webhook-signature']!, headers['x-twilio-email-event-webhook-timestamp']!)).toBe(false);
    }
  });
});

describe('razorpay, coinbase commerce: body HMACs', () => {
  it('razorpay validateWebhookSignature accepts ours and refuses a changed body', () => {
    for (const body of BODIES) {
      const { headers } = ours('razorpay', body, 'rzp_secret');
      expect(razorpay.validateWebhookSignature(body, headers['x-razorpay-signature']!, 'rzp_secret')).toBe(true);
      expect(razorpay.validateWebhookSignature(`${body} `, headers['x-razorpay-signature']!, 'rzp_secret')).toBe(false);
    }
  });
  it('coinbase-commerce-node: verifySigHeader accepts ours; computeSignature → ours verifies', () => {
    for (const body of BODIES) {
      const { headers } = ours('coinbase', body, 'cc_shared_secret');
      expect(CoinbaseWebhook.verifySigHeader(body, headers['x-cc-webhook-signature']!, 'cc_shared_secret')).toBe(true);
      expect(() => CoinbaseWebhook.verifySigHeader(`${body} `, headers['x-cc-webhook-signature']!, 'cc_shared_secret')).toThrow();
      const theirs = CoinbaseWebhook.computeSignature(body, 'cc_shared_secret');
      expect(oursVerify('coinbase', body, { 'x-cc-webhook-signature': theirs }, 'cc_shared_secret')).toMatchObject({ verified: true });
    }
  });
});

describe('square: WebhooksHelper.verifySignature (notification URL + body)', () => {
  it('ours → Square verifies for the URL signed, refuses another URL', async () => {
    for (const body of BODIES) {
      const { headers } = ours('square', body, 'sq_signature_key');
      const check = (notificationUrl: string, requestBody = body) => SquareWebhooks.verifySignature({ requestBody, signatureHeader: headers['x-square-hmacsha256-signature']!, signatureKey: 'sq_signature_key', notificationUrl });
      expect(await check(URL)).toBe(true);
      expect(await check(URL.replace('https:', 'http:'))).toBe(false);
      expect(await check(URL, `${body} `)).toBe(false);
    }
  });
});

describe('hubspot: @hubspot/api-client Signature (v3)', () => {
  it('ours → Signature.isValid; Signature.getSignature → ours; over 5 minutes old both refuse', () => {
    for (const body of BODIES) {
      const { headers } = ours('hubspot', body, 'hs_client_secret');
      const timestamp = Number(headers['x-hubspot-request-timestamp']);
      expect(timestamp).toBe(NOW_S * 1000);
      const options = { signatureVersion: 'v3', signature: headers['x-hubspot-signature-v3'], clientSecret: 'hs_client_secret', requestBody: body, url: URL, method: 'POST', timestamp };
      expect(HubSpotSignature.isValid(options)).toBe(true);
      expect(HubSpotSignature.isValid({ ...options, requestBody: `${body} ` })).toBe(false);
      const theirs = HubSpotSignature.getSignature('POST', 'v3', { clientSecret: 'hs_client_secret', url: URL, requestBody: body, timestamp });
      expect(oursVerify('hubspot', body, { 'x-hubspot-signature-v3': theirs, 'x-hubspot-request-timestamp': String(timestamp) }, 'hs_client_secret')).toMatchObject({ verified: true });
    }
    vi.setSystemTime(NOW_MS + 301_000);
    const body = BODIES[0]!;
    const { headers } = ours('hubspot', body, 'hs_client_secret');
    expect(() => HubSpotSignature.isValid({ signatureVersion: 'v3', signature: headers['x-hubspot-signature-v3'], clientSecret: 'hs_client_secret', requestBody: body, url: URL, timestamp: NOW_S * 1000 })).toThrow(/Timestamp/);
  });
});

describe('Standard Webhooks providers: openai, resend (svix headers), clerk (svix), replicate, render, loops', () => {
  it('openai: ours → OpenAI webhooks.verifySignature; a changed body refused', async () => {
    const openai = new OpenAI({ apiKey: 'sk-test', webhookSecret: WHSEC });
    for (const body of BODIES) {
      const { headers } = ours('openai', body, WHSEC);
      await expect(openai.webhooks.verifySignature(body, headers, WHSEC)).resolves.toBeUndefined();
      expect(await rejects(() => openai.webhooks.verifySignature(`${body} `, headers, WHSEC))).toBe(true);
    }
  });
  it('resend: ours (svix-* headers, as Resend sends them) → resend webhooks.verify', () => {
    const resend = new Resend('re_test_key');
    for (const body of BODIES) {
      const { headers } = ours('resend', body, WHSEC);
      expect(headers['svix-id']).toBeDefined();
      const payload = { payload: body, headers: { id: headers['svix-id']!, timestamp: headers['svix-timestamp']!, signature: headers['svix-signature']! }, webhookSecret: WHSEC };
      expect(resend.webhooks.verify(payload)).toEqual(JSON.parse(body));
      expect(() => resend.webhooks.verify({ ...payload, payload: `${body} ` })).toThrow();
    }
  });
  it('clerk via svix (what Clerk signs with), replicate/render/loops via standardwebhooks: both ways', () => {
    for (const body of BODIES) {
      const clerk = ours('clerk', body, WHSEC);
      expect(new SvixWebhook(WHSEC).verify(body, clerk.headers)).toEqual(JSON.parse(body));
      const svixSigned = new SvixWebhook(WHSEC).sign('msg_1', new Date(NOW_MS), body);
      expect(oursVerify('clerk', body, { 'svix-id': 'msg_1', 'svix-timestamp': String(NOW_S), 'svix-signature': svixSigned }, WHSEC)).toMatchObject({ verified: true });
      for (const scheme of ['replicate', 'render', 'loops']) {
        const { headers } = ours(scheme, body, WHSEC);
        expect(new StandardWebhook(WHSEC).verify(body, headers)).toEqual(JSON.parse(body));
        const theirs = new StandardWebhook(WHSEC).sign('msg_2', new Date(NOW_MS), body);
        expect(oursVerify(scheme, body, { 'webhook-id': 'msg_2', 'webhook-timestamp': String(NOW_S), 'webhook-signature': theirs }, WHSEC)).toMatchObject({ verified: true });
      }
    }
  });
});

describe('netlify: a JWS (HS256) with iss netlify and the body hash, judged by jose', () => {
  it('ours → jose jwtVerify (issuer netlify, sha256 = body hash); jose signs → ours verifies', async () => {
    const secret = 'netlify-jws-secret';
    const key = new TextEncoder().encode(secret);
    for (const body of BODIES) {
      const { headers } = ours('netlify', body, secret);
      const { payload } = await jwtVerify(headers['x-webhook-signature']!, key, { issuer: 'netlify', algorithms: ['HS256'] });
      expect(payload.sha256).toBe(require('node:crypto').createHash('sha256').update(body).digest('hex'));
      const theirs = await new SignJWT({ sha256: payload.sha256 }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuer('netlify').sign(key);
      expect(oursVerify('netlify', body, { 'x-webhook-signature': theirs }, secret)).toMatchObject({ verified: true });
      expect(oursVerify('netlify', `${body} `, { 'x-webhook-signature': theirs }, secret)).toMatchObject({ verified: false, reason: 'signature_mismatch' });
    }
  });
});

describe('sns: sns-validator, its certificate fetch pointed at a local HTTPS server on loopback', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookctl-sns-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  // The signing certificate SNS would publish, and a TLS certificate for 127.0.0.1 to serve it from.
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'sign.key'), '-out', join(dir, 'sign.pem'), '-days', '2', '-subj', '/CN=sns.us-east-1.amazonaws.com');
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1');
  const signKey = readFileSync(join(dir, 'sign.key'), 'utf8');
  const signCert = readFileSync(join(dir, 'sign.pem'), 'utf8');

  it('ours signs (SignatureVersion 1 and 2, a notification and a subscription confirmation) → sns-validator validates; a changed Message is refused', async () => {
    vi.useRealTimers();
    const server = https.createServer({ key: readFileSync(join(dir, 'tls.key')), cert: readFileSync(join(dir, 'tls.pem')) }, (_req, res) => res.end(signCert));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const previousCa = https.globalAgent.options.ca;
    https.globalAgent.options.ca = readFileSync(join(dir, 'tls.pem'));
    try {
      const port = (server.address() as AddressInfo).port;
      const certUrl = `https://127.0.0.1:${port}/SimpleNotificationService-test.pem`;
      const validator = new MessageValidator(/^127\.0\.0\.1:\d+$/);
      const validate = (message: object) => new Promise<boolean>((resolve) => validator.validate(message, (error) => resolve(error === null)));
      const messages = [
        { Type: 'Notification', MessageId: 'm-1', TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Subject: 'hi', Message: '{"order":42,"note":"é"}', SignatureVersion: '1', SigningCertURL: certUrl },
        { Type: 'Notification', MessageId: 'm-2', TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'plain text', SignatureVersion: '2', SigningCertURL: certUrl },
        { Type: 'SubscriptionConfirmation', MessageId: 'm-3', Token: 'tok', TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'You have chosen to subscribe', SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=tok', SignatureVersion: '2', SigningCertURL: certUrl },
      ];
      for (const message of messages) {
        const { body } = ours('sns', JSON.stringify(message), signKey);
        const signed = JSON.parse(body) as Record<string, string>;
        expect(signed.SigningCertURL).toBe(certUrl);
        expect(await validate(signed)).toBe(true);
        expect(await validate({ ...signed, Message: `${signed.Message}!` })).toBe(false);
        expect(getScheme('sns').verify({ body: Buffer.from(body), headers: {}, secrets: [signCert], nowMs: Date.now() })).toMatchObject({ verified: true });
      }
    } finally {
      https.globalAgent.options.ca = previousCa;
      server.close();
    }
  });
});

describe('plaid: an ES256 JWT with the body hash, verified as Plaid\'s docs do (jose, the JWK from /webhook_verification_key/get)', () => {
  it('ours → jose verifies with the JWK and the body hash matches; jose signs → ours verifies with the JWK', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = { ...publicKey.export({ format: 'jwk' }), alg: 'ES256', kid: 'bfbd5111-8e33-4643-8ced-b2e642a72f3c', use: 'sig' };
    const body = '{"webhook_type":"TRANSACTIONS","webhook_code":"SYNC_UPDATES_AVAILABLE","item_id":"wz666MBjYWTp2PDzzggYhM6oWWmBb","initial_update_complete":true,"historical_update_complete":false,"environment":"production"}';
    const { headers } = ours('plaid', body, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const { payload, protectedHeader } = await jwtVerify(headers['plaid-verification']!, await importJWK(jwk, 'ES256'), { algorithms: ['ES256'], maxTokenAge: '5 min' });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.request_body_sha256).toBe(require('node:crypto').createHash('sha256').update(body).digest('hex'));
    const theirs = await new SignJWT({ request_body_sha256: payload.request_body_sha256 }).setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'JWT' }).setIssuedAt(NOW_S).sign(privateKey);
    expect(oursVerify('plaid', body, { 'plaid-verification': theirs }, JSON.stringify(jwk))).toMatchObject({ verified: true });
    expect(oursVerify('plaid', `${body} `, { 'plaid-verification': theirs }, JSON.stringify(jwk))).toMatchObject({ verified: false, reason: 'signature_mismatch' });
    // A JWKS holding the key verifies too; a token minted over 5 minutes ago does not.
    expect(oursVerify('plaid', body, { 'plaid-verification': theirs }, JSON.stringify({ keys: [jwk] }))).toMatchObject({ verified: true });
    const old = await new SignJWT({ request_body_sha256: payload.request_body_sha256 }).setProtectedHeader({ alg: 'ES256', kid: jwk.kid }).setIssuedAt(NOW_S - 301).sign(privateKey);
    expect(oursVerify('plaid', body, { 'plaid-verification': old }, JSON.stringify(jwk))).toMatchObject({ reason: 'timestamp_outside_tolerance' });
  });
});

describe('pubsub: google-auth-library OAuth2Client.verifySignedJwtWithCertsAsync (certificates given, nothing fetched)', () => {
  it('ours → Google verifies (issuer, audience = the push URL, expiry); jose signs as Google does → ours verifies; another audience is refused', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const body = '{"message":{"data":"aGVsbG8=","messageId":"2070443601311540","publishTime":"2021-02-26T19:13:55.749Z"},"subscription":"projects/p/subscriptions/s"}';
    const { headers } = ours('pubsub', body, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const token = headers['authorization']!.replace(/^Bearer /, '');
    const client = new OAuth2Client();
    const ticket = await client.verifySignedJwtWithCertsAsync(token, { 'hookctl-test-key': publicPem }, URL, ['https://accounts.google.com', 'accounts.google.com']);
    expect(ticket.getPayload()).toMatchObject({ aud: URL, iss: 'https://accounts.google.com', email_verified: true });
    expect(await rejects(() => client.verifySignedJwtWithCertsAsync(token, { 'hookctl-test-key': publicPem }, 'https://other.example.com/', ['https://accounts.google.com']))).toBe(true);
    const theirs = await new SignJWT({ email: 'push@p.iam.gserviceaccount.com', email_verified: true })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
      .setIssuer('https://accounts.google.com')
      .setAudience(URL)
      .setIssuedAt(NOW_S)
      .setExpirationTime(NOW_S + 3600)
      .sign(privateKey);
    expect(oursVerify('pubsub', body, { authorization: `Bearer ${theirs}` }, publicPem)).toMatchObject({ verified: true });
    expect(oursVerify('pubsub', body, { authorization: `Bearer ${theirs}` }, publicPem, 'https://other.example.com/')).toMatchObject({ verified: false, reason: 'signature_mismatch' });
  });
});
