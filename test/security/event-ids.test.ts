/**
 * Event ids that an accident or an attacker can make collide: two deliveries must never share an
 * idempotency key unless they are the same event. Against a spawned `hookctl listen`.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, expectStillServes, githubHeaders, post, SECRET, spawnListener, tempDir } from './support.js';

afterEach(cleanup);

function stripeHeaders(body: Buffer): Record<string, string> {
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', SECRET).update(`${t}.`).update(body).digest('hex');
  return { 'content-type': 'application/json', 'stripe-signature': `t=${t},v1=${v1}` };
}

describe('event ids', () => {
  it('two deliveries with an empty X-GitHub-Delivery do not share the id "": an empty id is no id', async () => {
    const listener = await spawnListener(['--secret', SECRET, '--capture', tempDir()]);
    const answers = [];
    for (const body of ['{"action":"opened","n":1}', '{"action":"opened","n":2}']) {
      answers.push(await post(listener.url, body, githubHeaders(body, SECRET, '')));
    }
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(answers.map((a) => a.json)).toEqual([expect.objectContaining({ eventId: null, duplicate: false }), expect.objectContaining({ eventId: null, duplicate: false })]);
    // Without an id the body is the key: the same delivery again is still a duplicate.
    const again = await post(listener.url, '{"action":"opened","n":1}', githubHeaders('{"action":"opened","n":1}', SECRET, ''));
    expect(again.json).toMatchObject({ duplicate: true });
    await expectStillServes(listener);
  });

  it('Stripe ids that differ only in bytes that are not UTF-8 are not collapsed into one', async () => {
    const listener = await spawnListener(['--secret', SECRET, '--capture', tempDir()]);
    // Read as UTF-8 both ids would be "evt_\ufffd": the second would be dropped as a duplicate.
    const bodies = [0xff, 0xfe].map((byte) => Buffer.concat([Buffer.from('{"id":"evt_'), Buffer.from([byte]), Buffer.from('","type":"charge.succeeded"}')]));
    const answers = [];
    for (const body of bodies) answers.push(await post(listener.url, body, stripeHeaders(body)));
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(answers.map((a) => a.json.duplicate)).toEqual([false, false]);
    // Such an id does not say which bytes it was, so it is no id; the body's hash tells them apart,
    // and a retry of the same bytes is still a duplicate.
    expect(answers.map((a) => a.json.eventId)).toEqual([null, null]);
    const retry = await post(listener.url, bodies[0]!, stripeHeaders(bodies[0]!));
    expect(retry.json).toMatchObject({ duplicate: true });
    await expectStillServes(listener);
  });
});
