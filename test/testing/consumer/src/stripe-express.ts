// An Express app verifying Stripe webhooks the way Stripe documents it: the raw body, then
// stripe.webhooks.constructEvent.
import express from 'express';
import Stripe from 'stripe';

export function createApp(endpointSecret: string): express.Express {
  const stripe = new Stripe('sk_test_consumer');
  const app = express();
  app.post('/webhooks/stripe', express.raw({ type: 'application/json' }), (request, response) => {
    let event: Stripe.Event;
    try {
      event = stripe.webhooks.constructEvent(request.body as Buffer, String(request.headers['stripe-signature']), endpointSecret);
    } catch (error) {
      response.status(400).send(`Webhook Error: ${(error as Error).message}`);
      return;
    }
    response.json({ received: true, type: event.type });
  });
  return app;
}
