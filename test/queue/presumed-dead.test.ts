/**
 * `queue status` and a SIGKILLed worker (issue 22.3): idle beyond --claim-idle it is shown as
 * presumed dead, and once a running worker has taken its entries over it is no longer listed.
 */
import { expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { describeWithRedis } from '../helpers/redis-server.js';
import { deliveryRecord, queueTestKit } from './support.js';

interface Status {
  workers: Array<{ name: string; inFlight: number; idleMs: number; presumedDead?: boolean }>;
}

describeWithRedis('queue status and a worker that died', (redis) => {
  const { app, freshQueue, worker: startWorker } = queueTestKit(redis);

  it('presumed dead beyond --claim-idle, dropped once its entries are claimed', async () => {
    let answer = false;
    const target = await app((_request, res) => {
      if (answer) res.end('ok');
    });
    const { url, add } = await freshQueue();
    const doomed = await startWorker(url, ['--forward-to', target.url, '--consumer', 'doomed', '--claim-idle', '800ms', '--timeout', '30s']);
    await add(deliveryRecord(), deliveryRecord());
    await target.waitForRequests(2);
    await doomed.stop('SIGKILL');

    const status = async (): Promise<Status> => {
      const result = await runCli(['queue', 'status', url, '--claim-idle', '800ms', '--json']);
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout) as Status;
    };
    await expect.poll(async () => (await status()).workers.find((worker) => worker.name === 'doomed'), { timeout: 20_000 }).toMatchObject({ inFlight: 2, presumedDead: true });
    const human = await runCli(['queue', 'status', url, '--claim-idle', '800ms']);
    expect(human.stdout).toMatch(/doomed: 2 in flight, idle [\d.]+m?s: presumed dead \(idle beyond --claim-idle\); a running worker takes its entries over/);

    answer = true;
    const rescuer = await startWorker(url, ['--forward-to', target.url, '--consumer', 'rescuer', '--claim-idle', '800ms']);
    await rescuer.waitForRecord((record) => record.type === 'reclaimed', 20_000);
    await expect.poll(async () => (await status()).workers.map((worker) => worker.name), { timeout: 20_000 }).toEqual(['rescuer']);
    expect((await status()).workers[0]).toMatchObject({ presumedDead: false });
  }, 60_000);
});
