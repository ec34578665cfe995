import { startReceiver } from 'hookctl/testing';
import { expect, test } from 'vitest';
import { notify } from '../src/notify.js';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

test('what our code sends arrives signed and verified', async () => {
  await using receiver = await startReceiver({ scheme: 'standard', secret });

  expect(await notify(receiver.url, secret, { type: 'invoice.paid', data: { id: 'in_42' } })).toBe(200);

  const [delivery] = await receiver.waitFor(1, { timeout: '2s' });
  expect(delivery).toMatchObject({ verified: true, scheme: 'standard', eventType: 'invoice.paid' });
  expect(JSON.parse(delivery!.body.toString('utf8'))).toMatchObject({ data: { id: 'in_42' } });
});

test('a wrong secret on our side is caught, and waitFor says what arrived', async () => {
  await using receiver = await startReceiver({ scheme: 'standard', secret });

  expect(await notify(receiver.url, 'whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldA==', { type: 'invoice.paid', data: {} })).toBe(401);

  await expect(receiver.waitFor((delivery) => delivery.verified === true, { timeout: 200 })).rejects.toThrow(/1 arrived.*NOT verified \(signature_mismatch/s);
});
