// Jest style: describe/test/expect as globals, no test-runner import.
import { signedRequest } from 'hookctl/testing';
import { createApp } from '../src/hono-app.js';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const app = createApp(secret);

describe('POST /webhooks', () => {
  test('accepts a signed user.created', async () => {
    const response = await app.request(signedRequest('http://localhost/webhooks', { scheme: 'standard', secret, event: 'user.created' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: 'user.created' });
  });

  test('refuses one signed with another secret', async () => {
    const response = await app.request(signedRequest('http://localhost/webhooks', { scheme: 'standard', secret, wrongSecret: true }));
    expect(response.status).toBe(401);
  });
});
