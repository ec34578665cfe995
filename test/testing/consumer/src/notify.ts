// The code under test that SENDS webhooks: signs with the official Standard Webhooks library.
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export async function notify(url: string, secret: string, event: { type: string; data: unknown }): Promise<number> {
  const id = `msg_${randomUUID()}`;
  const timestamp = new Date();
  const body = JSON.stringify({ ...event, timestamp: timestamp.toISOString() });
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, timestamp, body),
    },
    body,
  });
  return response.status;
}
