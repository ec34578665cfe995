// A Hono app verifying Standard Webhooks.
import { Hono } from 'hono';
import { Webhook } from 'standardwebhooks';

export function createApp(secret: string): Hono {
  const webhook = new Webhook(secret);
  const app = new Hono();
  app.post('/webhooks', async (c) => {
    const body = await c.req.text();
    try {
      const event = webhook.verify(body, c.req.header()) as { type: string };
      return c.json({ received: event.type });
    } catch {
      return c.text('invalid signature', 401);
    }
  });
  return app;
}
