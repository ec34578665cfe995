/**
 * The inspector never hands out the --forward-to password (issue 21.3): the page gets the target
 * without it, a replay to it is sent with it (the app sees the credentials) yet its answer's
 * `sent.url` is masked, and "copy as curl" reads the password from HOOKCTL_TARGET_PASSWORD. The
 * URL's credentials go out as Basic auth (the dispatcher takes an origin, which dropped them). The
 * curl command is run by a real shell to prove it sends what the replay sent.
 */
import { spawn } from 'node:child_process';

/** Runs a command in sh without blocking this process (the app answering curl lives here). */
function sh(command: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { afterTest, api, cleanup, eventually, listenUi, postSigned, SECRET, tempDir } from './support.js';

afterEach(cleanup);

async function server(): Promise<TestServer> {
  // The app behind --forward-to takes the URL's credentials, as Basic auth.
  const started = await startServer((request, res) => {
    const expected = `Basic ${Buffer.from('admin:s3cr3t-pw').toString('base64')}`;
    res.statusCode = request.headers.authorization === expected ? 200 : 401;
    res.end(res.statusCode === 200 ? 'ok' : 'who are you');
  });
  afterTest(() => started.close());
  return started;
}

describe('the --forward-to password and the inspector', () => {
  it('replay answers and curl commands hold the masked URL; only the outgoing request has the password', async () => {
    const app = await server();
    const target = `http://admin:s3cr3t-pw@127.0.0.1:${app.port}/hooks`;
    const { url, ui } = await listenUi(['--capture', tempDir(), '--secret', SECRET, '--forward-to', target]);
    // The listener's own forward carries them too (the app answers 401 without).
    expect(await postSigned(url, { eventType: 'invoice.paid' })).toBe(200);
    expect(app.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('admin:s3cr3t-pw').toString('base64')}`);
    await eventually(async () => expect((await api(ui, '/api/deliveries')).body.total).toBe(1));

    const info = await api(ui, '/api/info');
    expect(info.body.defaultTarget).toBe(`http://admin:***@127.0.0.1:${app.port}/hooks`);
    // The page sends back the target as it was shown: the replay goes to the real one.
    const replay = await api(ui, '/api/deliveries/0/replay', { body: { to: info.body.defaultTarget, mode: 'resign' } });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ ok: true, status: 200 });
    expect(replay.body.sent.url).toBe(`http://admin:***@127.0.0.1:${app.port}/hooks`);
    expect(replay.text).not.toContain('s3cr3t-pw');

    const curl = await api(ui, '/api/deliveries/0/curl', { body: { to: info.body.defaultTarget, mode: 'resign' } });
    expect(curl.status).toBe(200);
    expect(curl.text).not.toContain('s3cr3t-pw');
    const command = curl.body.command as string;
    expect(command).toContain(`'http://127.0.0.1:${app.port}/hooks'`);
    expect(command).toContain(`--user 'admin:'"\${HOOKCTL_TARGET_PASSWORD:?`);

    // Pasted into a shell: without the variable it stops and names it; with it, the app accepts.
    const unset = await sh(command, { PATH: process.env.PATH });
    expect(unset.status).not.toBe(0);
    expect(unset.stderr).toMatch(/set HOOKCTL_TARGET_PASSWORD to the password of admin at 127\.0\.0\.1:\d+/);
    const before = app.requests.length;
    const run = await sh(command, { PATH: process.env.PATH, HOOKCTL_TARGET_PASSWORD: 's3cr3t-pw' });
    expect(run.stdout).toBe('ok');
    expect(app.requests.length).toBe(before + 1);
    expect(app.requests.at(-1)!.headers.authorization).toBe(`Basic ${Buffer.from('admin:s3cr3t-pw').toString('base64')}`);
    expect(app.requests.at(-1)!.url).toBe('/hooks');
  });
});
