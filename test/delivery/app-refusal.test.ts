/**
 * The refusal hint reads the app's answer: the words real provider libraries use when they got a
 * parsed object, when the signature did not match, and when the post was Twilio's. hookctl verified
 * (or signed) the bytes, so the causes left are a different secret at the app or a parsed body,
 * said both, most likely first; never the Express JSON recipe for a Twilio form post.
 */
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { refusalHint, type AppAnswer } from '../../src/delivery/app-refusal.js';

const stripe = new Stripe('sk_test_unused');
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const EXPRESS = { 'x-powered-by': 'Express', 'content-type': 'text/html; charset=utf-8' };

function thrown(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the library to refuse');
}

async function thrownAsync(run: () => Promise<unknown>): Promise<string> {
  try {
    const result = await run();
    if (result === false) return 'signature does not match event payload and secret';
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the library to refuse');
}

const prettyBody = JSON.stringify({ id: 'evt_1', type: 'invoice.paid', data: { amount: 1 } }, null, 2);
const compactBody = JSON.stringify({ id: 'evt_1', type: 'invoice.paid', data: { amount: 1 } });
const json = (body: string) => ({ headers: { 'content-type': 'application/json' }, body: Buffer.from(body) });
const answer = (body: string, status = 400, headers: Record<string, string> = EXPRESS): AppAnswer => ({ status, headers, body });

describe('the refusal hint', () => {
  it('stripe-node given a parsed object: the parsed body, with the recipe of the framework that answered', () => {
    const words = thrown(() => stripe.webhooks.constructEvent(JSON.parse(prettyBody) as unknown as string, stripe.webhooks.generateTestHeaderString({ payload: prettyBody, secret: SECRET }), SECRET));
    expect(words).toMatch(/must be provided as a string or a Buffer/);
    const hint = refusalHint(answer(`Webhook Error: ${words}`), 'verified', json(prettyBody))!;
    expect(hint).toMatch(/your app's library says it was given a parsed object, not the bytes: your app verifies a parsed, re-serialized body \(Express: mount `express\.raw/);
    expect(hint).not.toMatch(/different secret/);
  });

  it('@octokit/webhooks-methods given a parsed object: the parsed body', async () => {
    const words = await thrownAsync(() => octokitVerify('secret', JSON.parse(compactBody) as unknown as string, 'sha256=00'));
    expect(refusalHint(answer(words, 500, {}), 'verified', json(compactBody))).toMatch(/given a parsed object/);
  });

  it('stripe-node with another secret ("No signatures found…"): a different secret first, then a parsed body', () => {
    const words = thrown(() => stripe.webhooks.constructEvent(prettyBody, stripe.webhooks.generateTestHeaderString({ payload: prettyBody, secret: SECRET }), 'whsec_another'));
    expect(words).toMatch(/No signatures found matching the expected signature for payload/);
    const hint = refusalHint(answer(`Webhook Error: ${words}`), 'verified', json(prettyBody))!;
    expect(hint.indexOf('different secret')).toBeGreaterThan(-1);
    expect(hint.indexOf('different secret')).toBeLessThan(hint.indexOf('parsed, re-serialized'));
    expect(hint).toMatch(/^hookctl verified these exact bytes with the listener's secret; most likely your app holds a different secret than the listener's --secret/);
  });

  it('a body that re-serializes to the same bytes: only the secret is left (standardwebhooks\' own mismatch words)', () => {
    const webhook = new Webhook(Buffer.from('another secret').toString('base64'));
    const signer = new Webhook(Buffer.from('the listener secret').toString('base64'));
    const timestamp = new Date();
    const signature = signer.sign('msg_1', timestamp, compactBody);
    const words = thrown(() => webhook.verify(compactBody, { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)), 'webhook-signature': signature }));
    expect(words).toBe('No matching signature found');
    const hint = refusalHint(answer(words, 400, {}), 'verified', json(compactBody))!;
    expect(hint).toMatch(/parsing and serializing this body again gives the same bytes, so your app holds a different secret/);
    expect(hint).not.toMatch(/express|re-serialized body \(/i);
  });

  it('--forward-secret: the secret named is the forward secret', () => {
    expect(refusalHint(answer('Invalid signature'), 're-signed', json(prettyBody))).toMatch(/hookctl signed these exact bytes with --forward-secret; most likely your app holds a different secret than --forward-secret/);
  });

  it('a Twilio form post: the auth token or the URL validated, never the Express JSON recipe', () => {
    const sent = { headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'abc=' }, body: Buffer.from('From=%2B1500&Body=hi') };
    const hint = refusalHint(answer('Twilio Request Validation Failed.', 403), 'verified', sent)!;
    expect(hint).toMatch(/most likely your app holds a different auth token than the listener's --secret/);
    expect(hint).toMatch(/another URL than the one called/);
    expect(hint).not.toMatch(/express|re-serialized/i);
  });

  it('a 4xx about something else gets no hint', () => {
    expect(refusalHint(answer('{"error":"quantity must be positive"}', 422), 'verified', json(prettyBody))).toBeUndefined();
  });

  it('a receiver that cannot use its own key (hookctl listen\'s bad_secret_format) is told so, not "a different secret"', () => {
    const refused = answer('{"error":"signature verification failed: the public key is an ed25519 key, and this scheme needs an ECDSA (P-256) key","reason":"bad_secret_format"}', 401, { 'content-type': 'application/json' });
    const hint = refusalHint(refused, 'signed', json(compactBody))!;
    expect(hint).toMatch(/cannot use the (?:secret or )?key it holds/);
    expect(hint).not.toContain('different secret');
    expect(hint).not.toContain('re-serialized');
  });
});
