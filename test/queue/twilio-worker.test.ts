/**
 * Twilio through `hookctl worker` (issue 22.5): Twilio signs the URL it posts to, so the worker
 * re-signs for the app's URL with the auth token, given as `listen` takes it (--secret,
 * --secret-file, HOOKCTL_SECRET), and Twilio's own validateRequest accepts it. The URL actually
 * called (the route's base URL joined with the delivery's path) is what the worker's lines,
 * `queue dead` and the banner show.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';
import { describeWithRedis } from '../helpers/redis-server.js';
import { twilioWebhooks } from '../schemes/support.js';
import { queueTestKit } from './support.js';

const TOKEN = 'twilio-auth-token-for-the-worker';
const spawned: CliProcess[] = [];
afterEach(async () => {
  await Promise.all(spawned.splice(0).map((cli) => cli.stop('SIGKILL')));
});

describeWithRedis('Twilio through hookctl worker', (redis) => {
  const { app, freshQueue } = queueTestKit(redis);

  async function worker(url: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliProcess> {
    const cli = new CliProcess(['worker', url, '--json', ...args], { env });
    spawned.push(cli);
    await cli.waitForRecord((record) => record.type === 'worker');
    return cli;
  }

  it("re-signed for the app's URL with the auth token (HOOKCTL_SECRET); the URL called is shown, in queue dead too", async () => {
    const target = await app((request, res) => {
      const params = Object.fromEntries(new URLSearchParams(request.body.toString('utf8')));
      const valid = twilioWebhooks.validateRequest(TOKEN, String(request.headers['x-twilio-signature'] ?? ''), `http://127.0.0.1:${new URL(appBase).port}${request.url}`, params);
      res.statusCode = valid ? 200 : 403;
      res.end(valid ? '<Response/>' : 'Twilio Request Validation Failed.');
    });
    const appBase = target.url;
    const { url } = await freshQueue();
    const listener = new CliProcess(['listen', '--port', '0', '--json', '--scheme', 'twilio', '--secret', TOKEN, '--queue', url]);
    spawned.push(listener);
    const { url: listenerUrl } = await listener.waitForRecord<{ url: string }>((record) => record.type === 'listening');

    async function sendSms(sid: string): Promise<void> {
      const params = { MessageSid: sid, AccountSid: 'AC123', From: '+15005550006', Body: 'hello there' };
      const signature = twilioWebhooks.getExpectedTwilioSignature(TOKEN, `${listenerUrl.replace(/\/$/, '')}/sms`, params);
      const response = await fetch(`${listenerUrl.replace(/\/$/, '')}/sms`, { method: 'POST', body: new URLSearchParams(params).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature } });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }

    // With the auth token: accepted by Twilio's own check, at /sms.
    const resigning = await worker(url, ['--forward-to', appBase, '--retry-schedule', '0'], { HOOKCTL_SECRET: TOKEN });
    await resigning.waitForLine((line) => line.includes(`→ everything to ${appBase}/<each delivery's path>`), { stream: 'stderr' });
    const accepted = `SM${randomUUID().replace(/-/g, '')}`;
    await sendSms(accepted);
    const result = await resigning.waitForRecord((record) => record.type === 'result');
    expect(result).toMatchObject({ delivered: true, status: 200, target: `${appBase}/sms` });
    expect(resigning.records().find((record) => record.type === 'attempt')).toMatchObject({ target: `${appBase}/sms` });
    expect(target.requests[0]!.url).toBe('/sms');
    await resigning.stop('SIGINT');

    // Without it: refused, said once, and the dead letter names the URL called.
    const bare = await worker(url, ['--forward-to', appBase, '--retry-schedule', '0']);
    await sendSms(`SM${randomUUID().replace(/-/g, '')}`);
    const refused = await bare.waitForRecord((record) => record.type === 'result');
    expect(refused).toMatchObject({ delivered: false, status: 403, target: `${appBase}/sms` });
    await bare.waitForLine((line) => /Twilio signs the URL it posts to.*--secret.*auth token.*re-signs for http:\/\/127\.0\.0\.1:\d+\/sms/.test(line), { stream: 'stderr' });
    const dead = await runCli(['queue', 'dead', url, '--json']);
    const letters = dead.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>).filter((record) => record.type === 'dead');
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ target: `${appBase}/sms`, status: 403 });
    const table = await runCli(['queue', 'dead', url]);
    expect(table.stdout).toMatch(new RegExp(`called[\\s\\S]*${appBase.replace(/[.]/g, '\\.')}/sms`));
  });

  it("the listener's route banner shows a target without a path as the base URL and each delivery's path", async () => {
    const listener = new CliProcess(['listen', '--port', '0', '--no-capture', '--forward-to', 'http://127.0.0.1:4336', '--route', 'type:push=http://127.0.0.1:4337/gh']);
    spawned.push(listener);
    const line = await listener.waitForLine((text) => text.startsWith('forwarding'), { stream: 'stderr' });
    expect(line).toBe("forwarding by route: everything → http://127.0.0.1:4336/<each delivery's path>; type:push → http://127.0.0.1:4337/gh (the app's status is answered)");
  });
});
