/**
 * The shipped catalog in data/samples/: every sample well-formed for its provider, and every sample
 * of every scheme signed by hookctl and verified by the scheme (as send and listen do), with the
 * event type and id the listener shows.
 */
import { describe, expect, it } from 'vitest';
import { catalogIndex, findSample, freshBody, indexedProvider, providerSamples } from '../../src/records/sample-catalog.js';
import { SCHEME_CATALOG } from '../../src/schemes/catalog.js';
import { getScheme } from '../../src/schemes/registry.js';
import { signRequest } from '../../src/schemes/sign-request.js';
import { HANDSHAKE_SAMPLES, providerKeys, SHARED_SECRET, shownTypes } from '../helpers/sample-proof.js';

const SECRET = SHARED_SECRET;
const PROVIDERS = ['dropbox', 'asana', 'render', 'loops', 'pubsub', 'paddle', 'linear', 'clerk', 'resend', 'openai', 'discord', 'sendgrid', 'square', 'hubspot', 'zoom', 'twitch', 'intercom', 'mailgun', 'postmark', 'bitbucket', 'vercel', 'netlify', 'coinbase', 'typeform', 'calendly', 'mux', 'lemonsqueezy', 'woocommerce', 'okta', 'meta', 'zendesk', 'sentry', 'notion', 'razorpay', 'sns', 'gitlab', 'telnyx', 'replicate', 'plaid', 'atlassian'];

describe('the sample catalog', () => {
  const index = catalogIndex();

  it('has every provider by its scheme name, with 2 or more event types and its default among them', () => {
    for (const name of [...PROVIDERS, 'github', 'stripe', 'shopify', 'slack', 'standard', 'twilio']) {
      const provider = index.providers[name];
      expect(provider, name).toBeDefined();
      // Dropbox sends one kind of notification (two examples of it).
      expect(name === 'dropbox' ? providerSamples(name).length : provider!.events.length, name).toBeGreaterThanOrEqual(2);
      expect(provider!.events.map((event) => event.event), name).toContain(provider!.defaultEvent);
      expect(provider!.source && provider!.licence, name).toBeTruthy();
      // The index agrees with the stored file.
      expect(providerSamples(name).length, name).toBe(provider!.events.reduce((sum, event) => sum + event.examples, 0));
    }
    expect(Object.keys(index.providers).length).toBeGreaterThanOrEqual(40);
  });

  it('every body parses as its content type says, its id is in it once, its fresh fields exist', () => {
    for (const [name, provider] of Object.entries(index.providers)) {
      for (const sample of providerSamples(name)) {
        const where = `${name}/${sample.event}`;
        const type = sample.contentType ?? provider.contentType;
        if (type.includes('json') || name === 'sns') expect(() => JSON.parse(sample.body), where).not.toThrow();
        else expect(type, where).toContain('form-urlencoded');
        // A numeric id (HubSpot's eventId) stands as a JSON number, its digits nowhere else.
        const numeric = sample.id !== undefined && /^\d+$/.test(sample.id) && !sample.body.includes(JSON.stringify(sample.id));
        if (sample.id && numeric) expect(sample.body.split(sample.id).length, where).toBe(2);
        else if (sample.id) expect(sample.body.split(type.includes('form') ? encodeURIComponent(sample.id) : JSON.stringify(sample.id)).length, where).toBeGreaterThanOrEqual(2);
        for (const field of sample.fresh ?? []) expect(sample.body, where).toContain(`"${field.key}"`);
      }
    }
  });

  it('GitHub: the 58 event types and 329 examples of @octokit/webhooks-examples, keyed event.action', () => {
    const github = providerSamples('github');
    expect(github.length).toBeGreaterThanOrEqual(329);
    expect(new Set(github.map((sample) => sample.headerType ?? sample.event)).size).toBeGreaterThanOrEqual(58);
    const opened = findSample('github', 'pull_request.opened')!;
    expect(opened.headerType).toBe('pull_request');
    expect(JSON.parse(opened.body).action).toBe('opened');
  });

  it('Stripe: each event is an Event object around its API object, type as listed', () => {
    const samples = providerSamples('stripe');
    expect(new Set(samples.map((sample) => sample.event)).size).toBeGreaterThanOrEqual(30);
    for (const sample of samples) {
      const event = JSON.parse(sample.body) as Record<string, unknown>;
      expect(Object.keys(event), sample.event).toEqual(expect.arrayContaining(['id', 'object', 'api_version', 'created', 'data', 'livemode', 'pending_webhooks', 'request', 'type']));
      expect(event.id, sample.event).toMatch(/^evt_/);
      expect(event.id).toBe(sample.id);
      expect(event.type).toBe(sample.event);
      expect(event.object).toBe('event');
      expect((event.data as { object: { object: string } }).object.object, sample.event).toBeTruthy();
    }
  });

  it('Linear signs webhookTimestamp: each send carries the time of sending', () => {
    const sample = findSample('linear', 'Issue.create')!;
    const now = new Date('2026-03-01T12:00:00.000Z');
    expect(JSON.parse(freshBody(sample, now)).webhookTimestamp).toBe(now.getTime());
    expect(sample.headerType).toBe('Issue');
  });

  it('finds samples by exact type, header type, prefix and TYPE#N; never by a path or a prototype key', () => {
    expect(findSample('stripe', 'INVOICE.PAID')?.event).toBe('invoice.paid');
    expect(findSample('gitlab', 'Push Hook')?.event).toBe('push');
    expect(findSample('shopify', 'orders-paid')?.event).toBe('orders/paid');
    expect(findSample('github', 'check_run.completed#3')).toBeDefined();
    expect(findSample('github', 'check_run.completed#99')).toBeUndefined();
    expect(findSample('../fixtures', 'x')).toBeUndefined();
    expect(findSample('constructor')).toBeUndefined();
    expect(findSample('svix')?.event).toBe('invoice.paid');
    // Schemes that share another provider's samples.
    expect(findSample('jira')?.event).toBe('jira:issue_created');
    expect(findSample('whatsapp')?.event).toBe('whatsapp.messages');
  });

  // Every scheme that signs and verifies and has samples, whatever its family: shared secrets, keys
  // (Ed25519, ECDSA, RSA), JWTs, signatures written into the body (Mailgun, SNS, Linear's webhookTimestamp).
  const keys = providerKeys();
  const sendable = SCHEME_CATALOG.filter((info) => info.signs && info.verifies && indexedProvider(info.scheme));
  it('every family has a provider with samples to prove', () => {
    expect(sendable.length).toBeGreaterThanOrEqual(40);
    expect(new Set(sendable.map((info) => info.family))).toEqual(new Set(SCHEME_CATALOG.filter((info) => info.family !== 'generic').map((info) => info.family)));
  });
  it.each(sendable.map((info) => [info.scheme]))('every %s sample, signed as send signs it, verifies and shows its type and id', (name) => {
    const scheme = getScheme(name);
    const key = keys[name] ?? { sign: SECRET, verify: SECRET };
    const url = 'https://hooks.example.com/webhooks';
    let checked = 0;
    for (const sample of providerSamples(name)) {
      const where = `${name}/${sample.event}`;
      const body = Buffer.from(freshBody(sample));
      const nowMs = Date.now();
      const id = sample.id ?? 'msg_hookctlsampletest0001';
      const signed = signRequest(scheme, { body, secret: key.sign, timestamp: Math.floor(nowMs / 1000), id, url, type: sample.headerType ?? sample.event });
      const result = scheme.verify({ body: signed.body, headers: signed.headers, secrets: [key.verify], nowMs, url: signed.url ?? url });
      expect(result.verified, `${where}: ${result.message}`).toBe(true);
      // Sent with the sample's content type, as send sends it (Slack's interactivity is a form).
      const headers = { ...Object.fromEntries(Object.entries(signed.headers).map(([header, value]) => [header.toLowerCase(), value])), 'content-type': sample.contentType ?? indexedProvider(name)!.contentType };
      if (HANDSHAKE_SAMPLES[name] !== sample.event) expect(shownTypes(name, sample.event, sample.headerType), where).toContain(scheme.eventType(headers, signed.body));
      // A declared id is what the listener dedupes on (send swaps a fresh one in).
      if (sample.id) expect(scheme.eventId(headers, signed.body), where).toBe(sample.id);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it("Postmark: a message's Delivery and Open are two events, not one id seen twice", () => {
    const scheme = getScheme('postmark');
    const ids = ['Delivery', 'Open', 'Click'].map((event) => scheme.eventId({}, Buffer.from(findSample('postmark', event)!.body)));
    expect(ids).toEqual([undefined, undefined, undefined]);
    expect(scheme.eventId({}, Buffer.from(findSample('postmark', 'Bounce')!.body))).toMatch(/^\d+$/);
  });
});
