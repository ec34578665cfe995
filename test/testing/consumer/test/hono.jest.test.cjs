// jest, with no transform to set up: CommonJS, and describe/test/expect/jest as jest's globals.
const { signedRequest, webhookMatchers } = require('hookctl/testing');
const { createApp } = require('../src/hono-app.cjs');

expect.extend(webhookMatchers);

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const app = createApp(secret);

describe('POST /webhooks', () => {
  test('accepts a signed user.created', async () => {
    const response = await app.request(signedRequest('http://localhost/webhooks', { scheme: 'standard', secret, event: 'user.created' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: 'user.created' });
  });

  test('refuses one signed with another secret, or too long ago', async () => {
    expect(await app.request(signedRequest('http://localhost/webhooks', { scheme: 'standard', secret, wrongSecret: true }))).toBeRefusedWebhook(401);
    expect(await app.request(signedRequest('http://localhost/webhooks', { scheme: 'standard', secret, stale: '10m' }))).toBeRefusedWebhook(401);
  });

  test("jest's fake clock signs and verifies alike", async () => {
    jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
    try {
      const request = signedRequest('http://localhost/webhooks', { scheme: 'standard', secret, event: 'user.created' });
      expect(request.headers.get('webhook-timestamp')).toBe(String(Date.UTC(2030, 0, 1) / 1000));
      expect(await app.request(request.clone())).toBeAcceptedWebhook();
      jest.setSystemTime(new Date('2030-01-01T00:10:00Z'));
      expect(await app.request(request)).toBeRefusedWebhook(401);
    } finally {
      jest.useRealTimers();
    }
  });
});
