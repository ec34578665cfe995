/**
 * Forged, tampered and replayed signatures against a spawned `hookctl listen` with a secret. Every
 * refusal must be a 401 with a stable reason code, must not claim the event id (the real delivery
 * still gets through), and the listener must go on verifying valid deliveries.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { cleanup, expectStillServes, githubHeaders, post, SECRET, spawnListener, tempDir, type Listener } from './support.js';

afterEach(cleanup);

const stripe = new Stripe('sk_test_hookctl_security');
/** A Standard Webhooks secret (base64 after whsec_); the listener takes it beside SECRET (rotation). */
const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const nowS = () => Math.floor(Date.now() / 1000);
const hex = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest('hex');
const b64 = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest('base64');

function stripeHeaders(body: string, secret = SECRET, timestamp = nowS()): Record<string, string> {
  return { 'content-type': 'application/json', 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp }) };
}

function standardHeaders(body: string, id: string, timestamp = nowS(), secret = WHSEC): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': new StandardWebhook(secret).sign(id, new Date(timestamp * 1000), body),
  };
}

function slackHeaders(body: string, secret = SECRET, timestamp = nowS()): Record<string, string> {
  return { 'content-type': 'application/json', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${hex(secret, `v0:${timestamp}:${body}`)}` };
}

interface Refusal {
  name: string;
  body: string;
  headers: Record<string, string>;
  reason: string | RegExp;
}

/** Sends each refusal, checks the 401 and its record, then that a valid delivery still verifies. */
async function expectRefused(listener: Listener, cases: Refusal[]): Promise<void> {
  for (const c of cases) {
    const answer = await post(listener.url, c.body, c.headers);
    expect(answer.status, `${c.name}: ${answer.text}`).toBe(401);
    expect(answer.json.error, c.name).toEqual(expect.any(String));
    if (typeof c.reason === 'string') expect(answer.json.reason, c.name).toBe(c.reason);
    else expect(String(answer.json.reason), c.name).toMatch(c.reason);
    await expectStillServes(listener);
  }
  const refused = listener.cli.records().filter((r) => r.type === 'delivery' && r.status === 401);
  expect(refused).toHaveLength(cases.length);
  for (const record of refused) expect(record).toMatchObject({ verified: false, duplicate: false });
}

const BODY = '{"id":"evt_sec_1","type":"invoice.paid","data":{"amount":4200}}';

describe('forged and tampered signatures are refused (401 + reason), and the listener keeps verifying', () => {
  it('forged: right format, wrong secret, for every scheme', async () => {
    const listener = await spawnListener(['--no-capture', '--secret', SECRET, '--secret', WHSEC]);
    const other = 'not-the-secret';
    await expectRefused(listener, [
      { name: 'github', body: BODY, headers: githubHeaders(BODY, other), reason: 'signature_mismatch' },
      { name: 'stripe', body: BODY, headers: stripeHeaders(BODY, other), reason: 'signature_mismatch' },
      { name: 'standard', body: BODY, headers: standardHeaders(BODY, 'msg_forged', nowS(), 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), reason: 'signature_mismatch' },
      { name: 'slack', body: BODY, headers: slackHeaders(BODY, other), reason: 'signature_mismatch' },
      { name: 'shopify', body: BODY, headers: { 'x-shopify-hmac-sha256': b64(other, BODY), 'x-shopify-webhook-id': 'shop-forged' }, reason: 'signature_mismatch' },
      { name: 'no signature at all', body: BODY, headers: { 'content-type': 'application/json' }, reason: 'missing_signature' },
    ]);
  });

  it('tampered body: one byte changed, whitespace appended, truncated, re-serialized', async () => {
    const listener = await spawnListener(['--no-capture', '--secret', SECRET]);
    const signed = githubHeaders(BODY);
    await expectRefused(listener, [
      { name: 'one byte', body: BODY.replace('4200', '4201'), headers: signed, reason: 'signature_mismatch' },
      { name: 'trailing newline', body: `${BODY}\n`, headers: signed, reason: 'signature_mismatch' },
      { name: 'truncated', body: BODY.slice(0, -1), headers: signed, reason: 'signature_mismatch' },
      { name: 'pretty-printed', body: JSON.stringify(JSON.parse(BODY), null, 2), headers: signed, reason: 'signature_mismatch' },
      { name: 'stripe body swapped', body: BODY.replace('invoice.paid', 'invoice.void'), headers: stripeHeaders(BODY), reason: 'signature_mismatch' },
    ]);
    // The refused copies did not claim the event id: the genuine delivery is processed, not a duplicate.
    const genuine = await post(listener.url, BODY, signed);
    expect(genuine.json).toMatchObject({ ok: true, duplicate: false });
  });

  it('tampered timestamp: Stripe t=, Standard webhook-timestamp, Slack X-Slack-Request-Timestamp', async () => {
    const listener = await spawnListener(['--no-capture', '--secret', SECRET, '--secret', WHSEC]);
    const ts = nowS();
    const stripeSig = stripeHeaders(BODY, SECRET, ts)['stripe-signature']!;
    const standard = standardHeaders(BODY, 'msg_ts', ts);
    const slackSigned = slackHeaders(BODY, SECRET, ts);
    await expectRefused(listener, [
      { name: 'stripe t+1', body: BODY, headers: { 'stripe-signature': stripeSig.replace(`t=${ts}`, `t=${ts + 1}`) }, reason: 'signature_mismatch' },
      { name: 'stripe t as text', body: BODY, headers: { 'stripe-signature': stripeSig.replace(`t=${ts}`, 't=now') }, reason: /malformed/ },
      { name: 'standard ts-1', body: BODY, headers: { ...standard, 'webhook-timestamp': String(ts - 1) }, reason: 'signature_mismatch' },
      { name: 'standard ts negative', body: BODY, headers: { ...standard, 'webhook-timestamp': `-${ts}` }, reason: 'malformed_timestamp' },
      { name: 'slack ts+60', body: BODY, headers: { ...slackSigned, 'x-slack-request-timestamp': String(ts + 60) }, reason: 'signature_mismatch' },
      { name: 'slack ts missing', body: BODY, headers: { 'x-slack-signature': slackSigned['x-slack-signature']! }, reason: 'missing_timestamp' },
    ]);
  });

  it('tampered id: Standard Webhooks signs webhook-id, so a changed id is refused; GitHub does not sign X-GitHub-Delivery', async () => {
    const listener = await spawnListener(['--no-capture', '--secret', SECRET, '--secret', WHSEC]);
    const standard = standardHeaders(BODY, 'msg_original');
    await expectRefused(listener, [
      { name: 'standard id changed', body: BODY, headers: { ...standard, 'webhook-id': 'msg_other' }, reason: 'signature_mismatch' },
      // The library throws "Missing required headers"; hookctl signs ".<ts>.<body>" and reports a mismatch. Refused either way.
      { name: 'standard id emptied', body: BODY, headers: { ...standard, 'webhook-id': '' }, reason: /missing|malformed|mismatch/ },
    ]);
    expect((await post(listener.url, BODY, standard)).json).toMatchObject({ ok: true, eventId: 'msg_original', duplicate: false });
    // GitHub's signature covers the body only (as octokit verifies it): a new X-GitHub-Delivery on
    // a captured delivery verifies and is a "new" event. This is the provider's design, documented
    // in docs/reliability.md; only the body's own ids or the tolerance of timestamped schemes stop it.
    const gh = githubHeaders(BODY, SECRET, 'gh-original');
    expect((await post(listener.url, BODY, gh)).json).toMatchObject({ ok: true, duplicate: false });
    expect((await post(listener.url, BODY, { ...gh, 'x-github-delivery': 'gh-renamed' })).json).toMatchObject({ ok: true, eventId: 'gh-renamed', duplicate: false });
  });

  it('tampered signature header: a changed digit, upper-case hex, wrong prefix, empty, legacy sha1 only, a second forged signature', async () => {
    const listener = await spawnListener(['--no-capture', '--secret', SECRET, '--secret', WHSEC]);
    const gh = githubHeaders(BODY);
    const sig = gh['x-hub-signature-256']!;
    const flipped = sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0');
    const standard = standardHeaders(BODY, 'msg_hdr');
    await expectRefused(listener, [
      { name: 'last digit', body: BODY, headers: { ...gh, 'x-hub-signature-256': flipped }, reason: 'signature_mismatch' },
      { name: 'upper-case hex', body: BODY, headers: { ...gh, 'x-hub-signature-256': `sha256=${sig.slice(7).toUpperCase()}` }, reason: /malformed|mismatch/ },
      { name: 'sha1= prefix', body: BODY, headers: { ...gh, 'x-hub-signature-256': sig.replace('sha256=', 'sha1=') }, reason: 'malformed_signature_header' },
      // An empty header holds no signature to compare: refused (reported as a mismatch over 0 signatures).
      { name: 'empty', body: BODY, headers: { ...gh, 'x-hub-signature-256': '' }, reason: /malformed|missing|mismatch/ },
      { name: 'legacy sha1 only', body: BODY, headers: { 'x-hub-signature': `sha1=${createHmac('sha1', SECRET).update(BODY).digest('hex')}` }, reason: 'missing_signature' },
      { name: 'standard v1 replaced by v2', body: BODY, headers: { ...standard, 'webhook-signature': standard['webhook-signature']!.replace('v1,', 'v2,') }, reason: /malformed|mismatch/ },
      { name: 'two forged standard signatures', body: BODY, headers: { ...standard, 'webhook-signature': `v1,${b64('x', BODY)} v1,${b64('y', BODY)}` }, reason: 'signature_mismatch' },
    ]);
  });

  it('a signature made for another scheme does not verify under this one', async () => {
    const fixed = await spawnListener(['--no-capture', '--secret', SECRET, '--scheme', 'github']);
    const ts = nowS();
    await expectRefused(fixed, [
      // A valid Stripe delivery sent to a GitHub-only endpoint.
      { name: 'stripe header to a github listener', body: BODY, headers: stripeHeaders(BODY), reason: 'missing_signature' },
      // Stripe's signed content (t.body), in GitHub's header and encoding.
      { name: 'stripe content in github header', body: BODY, headers: { 'x-hub-signature-256': `sha256=${hex(SECRET, `${ts}.${BODY}`)}` }, reason: 'signature_mismatch' },
      // Shopify's HMAC of the same body, hex instead of base64: same bytes, another scheme's header.
      { name: 'shopify header to a github listener', body: BODY, headers: { 'x-shopify-hmac-sha256': b64(SECRET, BODY) }, reason: 'missing_signature' },
    ]);
    const auto = await spawnListener(['--no-capture', '--secret', SECRET, '--secret', WHSEC]);
    await expectRefused(auto, [
      // GitHub's content (the raw body) in Stripe's header: Stripe signs "<t>.<body>".
      { name: 'github content in stripe header', body: BODY, headers: { 'stripe-signature': `t=${ts},v1=${hex(SECRET, BODY)}` }, reason: 'signature_mismatch' },
      // Slack's content under Standard Webhooks' header.
      { name: 'slack content in standard header', body: BODY, headers: { 'webhook-id': 'msg_x', 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${b64(Buffer.from(WHSEC.slice(6), 'base64'), `v0:${ts}:${BODY}`)}` }, reason: 'signature_mismatch' },
    ]);
  });

  it('the secret in the wrong encoding is refused and diagnosed (Standard Webhooks whsec_ base64 vs Stripe raw string)', async () => {
    const listener = await spawnListener(['--no-capture', '--scheme', 'standard', '--secret', WHSEC]);
    const ts = nowS();
    // The sender used the whsec_ string as raw key bytes (the Stripe way) instead of decoding it.
    const wrong = { 'webhook-id': 'msg_enc', 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${b64(WHSEC, `msg_enc.${ts}.${BODY}`)}` };
    const answer = await post(listener.url, BODY, wrong);
    expect(answer.status).toBe(401);
    expect(answer.json.reason).toBe('signature_mismatch');
    const record = await listener.cli.waitForRecord((r) => r.type === 'delivery' && r.status === 401);
    expect(String(record.diagnosis)).toMatch(/secret/i);
    // The reverse: a Stripe listener, a sender that base64-decoded the whsec_ string.
    const stripeListener = await spawnListener(['--no-capture', '--scheme', 'stripe', '--secret', WHSEC]);
    const decoded = Buffer.from(WHSEC.slice(6), 'base64');
    const reverse = await post(stripeListener.url, BODY, { 'stripe-signature': `t=${ts},v1=${hex(decoded, `${ts}.${BODY}`)}` });
    expect(reverse.json.reason).toBe('signature_mismatch');
    const reverseRecord = await stripeListener.cli.waitForRecord((r) => r.type === 'delivery' && r.status === 401);
    expect(String(reverseRecord.diagnosis)).toMatch(/base64-decoded/);
    // Both go on verifying correctly signed deliveries.
    expect((await post(listener.url, BODY, standardHeaders(BODY, 'msg_enc_ok'))).status).toBe(200);
    expect((await post(stripeListener.url, BODY, stripeHeaders(BODY, WHSEC))).status).toBe(200);
  });

  it('a secret that cannot be a key for the named scheme is a usage error at start, not a listener that refuses everything', async () => {
    const result = await runCli(['listen', '--port', '0', '--no-capture', '--scheme', 'standard', '--secret', 'whsec_!!not-base64!!'], { timeoutMs: 5_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--secret/);
    expect(result.stderr).not.toContain('!!not-base64!!');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('replay of a captured valid delivery', () => {
  it('inside the tolerance it is a duplicate (not processed twice); outside it is 401 timestamp_outside_tolerance', { timeout: 30_000 }, async () => {
    const dir = tempDir();
    // Wide enough that spawning `hookctl replay` on a busy machine lands inside it, short enough to wait out.
    const tolerance = 4;
    const listener = await spawnListener(['--capture', dir, '--secret', SECRET, '--tolerance', `${tolerance}s`]);
    // Signed a second ago: valid for about three more seconds.
    const signedAt = nowS() - 1;
    const headers = stripeHeaders(BODY, SECRET, signedAt);
    expect((await post(listener.url, BODY, headers)).json).toMatchObject({ ok: true, eventId: 'evt_sec_1', duplicate: false });
    const journal = join(dir, 'deliveries.ndjson');
    expect(readFileSync(journal, 'utf8')).toContain('evt_sec_1');

    // Replayed at once with the captured headers (an attacker who read the capture, or a proxy retry).
    const early = await runCli(['replay', journal, '--to', listener.url, '--as-is', '--no-retry', '--json']);
    expect(early.code, early.stderr).toBe(0);
    expect(await listener.cli.waitForRecord((r) => r.type === 'delivery' && r.duplicate === true)).toMatchObject({ verified: true, status: 200, eventId: 'evt_sec_1' });

    // Wait (on the clock, not a fixed sleep) until the signed timestamp is past the tolerance.
    while (nowS() - signedAt <= tolerance) await new Promise((resolve) => setTimeout(resolve, 50));
    const late = await runCli(['replay', journal, '--to', listener.url, '--as-is', '--no-retry', '--json']);
    expect(late.code).toBe(1);
    const replayRecords = late.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(replayRecords.find((r) => r.type === 'replay')).toMatchObject({ status: 401, ok: false });
    const stale = await listener.cli.waitForRecord((r) => r.type === 'delivery' && r.status === 401);
    expect(stale).toMatchObject({ verified: false, reason: 'timestamp_outside_tolerance' });
    await expectStillServes(listener);
  });
});
