/** `hookctl samples`: the sample events per scheme, learnt before a miss rather than from its warning. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startServer } from '../helpers/server.js';

describe('hookctl samples', () => {
  it('lists every scheme with its sample event types and the default one', async () => {
    const result = await runCli(['samples']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^stripe +checkout\.session\.completed, invoice\.payment_failed, payment_intent\.succeeded \(default\)$/m);
    expect(result.stdout).toMatch(/^github +ping, pull_request\.opened, push \(default\)$/m);
    expect(result.stdout).toMatch(/^hmac +no samples; sends a minimal test\.event event/m);
  });

  it('--json: one record per scheme; every listed type is one send sends as that sample', async () => {
    const result = await runCli(['samples', 'stripe', '--json']);
    expect(result.code).toBe(0);
    const records = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; scheme: string; events: string[]; default: string });
    expect(records).toEqual([{ type: 'samples', scheme: 'stripe', events: ['checkout.session.completed', 'invoice.payment_failed', 'payment_intent.succeeded'], default: 'payment_intent.succeeded' }]);
    const server = await startServer();
    try {
      for (const type of records[0]!.events) {
        const sent = await runCli(['send', server.url, '--scheme', 'stripe', '--event', type, '--secret', 'whsec_x']);
        expect(sent.code).toBe(0);
        expect(sent.stderr).toBe(''); // no "no sample" warning
        expect(JSON.parse(server.requests.at(-1)!.body.toString()).type).toBe(type);
      }
    } finally {
      await server.close();
    }
  });

  it('a miss in send points at it', async () => {
    const server = await startServer();
    try {
      const sent = await runCli(['send', server.url, '--scheme', 'stripe', '--event', 'charge.refunded', '--secret', 'whsec_x']);
      expect(sent.stderr).toMatch(/no sample for stripe event "charge\.refunded" \(samples: .*; hookctl samples lists every scheme's\)/);
    } finally {
      await server.close();
    }
  });
});
