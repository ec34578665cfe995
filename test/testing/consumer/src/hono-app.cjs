// A Hono app verifying Standard Webhooks (CommonJS: jest loads it as it is, without a transform).
const { Hono } = require('hono');
const { Webhook } = require('standardwebhooks');

function createApp(secret) {
  const webhook = new Webhook(secret);
  const app = new Hono();
  app.post('/webhooks', async (c) => {
    const body = await c.req.text();
    try {
      const event = webhook.verify(body, c.req.header());
      return c.json({ received: event.type });
    } catch {
      return c.text('invalid signature', 401);
    }
  });
  return app;
}

module.exports = { createApp };
