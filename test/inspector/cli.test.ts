/**
 * `hookctl inspect`, the real CLI: the URL and its record, the page and API it serves, what the
 * page's actions print, Ctrl-C, and the clear errors for what cannot work.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { cleanup, SECRET, signedRecord, tempDir, writeJournal } from './support.js';

const running: CliProcess[] = [];
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((cli) => cli.stop('SIGKILL')));
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await cleanup();
});

function inspect(args: string[]): CliProcess {
  const cli = new CliProcess(['inspect', ...args]);
  running.push(cli);
  return cli;
}

interface Inspecting {
  type: 'inspecting';
  uiUrl: string;
  files: string[];
  deliveries: number;
  following: string | null;
  verifying: boolean;
}

describe('hookctl inspect', () => {
  it('prints an "inspecting" record with the URL, serves the page over the captures, records actions, stops on Ctrl-C', async () => {
    const dir = tempDir();
    const record = signedRecord();
    writeJournal(dir, [record, signedRecord({ eventType: 'second.one' })]);
    const target = await startServer();
    servers.push(target);
    const cli = inspect([dir, '--ui-port', '0', '--secret', SECRET, '--to', target.url, '--json']);
    const started = await cli.waitForRecord<Inspecting>((value) => value.type === 'inspecting');
    expect(started).toMatchObject({ deliveries: 2, verifying: true, files: [expect.stringMatching(/deliveries\.ndjson$/)], following: expect.stringMatching(/deliveries\.ndjson$/) });
    const url = new URL(started.uiUrl);
    expect(url.hostname).toBe('127.0.0.1');
    const token = new URLSearchParams(url.hash.slice(1)).get('token')!;
    expect(token).toMatch(/^[\w-]{32}$/);
    // Nothing on stdout but NDJSON; the secret is nowhere in the output.
    expect(cli.stdoutLines.every((line) => line.startsWith('{'))).toBe(true);
    const headers = { 'x-hookctl-token': token };
    const info = (await (await fetch(`${url.origin}/api/info`, { headers })).json()) as { defaultTarget: string; canSign: boolean };
    expect(info).toMatchObject({ defaultTarget: `${target.url}/`, canSign: true });
    expect((await fetch(`${url.origin}/`)).status).toBe(200);

    const replay = await fetch(`${url.origin}/api/deliveries/0/replay`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', origin: url.origin }, body: JSON.stringify({ to: target.url, mode: 'resign' }) });
    expect(replay.status).toBe(200);
    const action = await cli.waitForRecord((value) => value.type === 'action');
    expect(action).toMatchObject({ action: 'replay', seq: 0, id: record.id, to: `${target.url}/`, mode: 'resign', edited: false, ok: true, status: 200 });

    const { code } = await cli.stop('SIGINT');
    expect(code).toBe(0);
    expect(cli.records().at(-1)).toEqual({ type: 'summary', replays: 1, failed: 0 });
    expect([...cli.stdoutLines, ...cli.stderrLines].join('\n')).not.toContain(SECRET);
  });

  it('human output: the URL on stdout, what it read and how to stop on stderr', async () => {
    const dir = tempDir();
    writeJournal(dir, [signedRecord()]);
    const cli = inspect([dir, '--ui-port', '0', '--no-follow']);
    const line = await cli.waitForLine((text) => text.startsWith('inspector on '));
    expect(line).toMatch(/^inspector on http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{32}$/);
    await cli.waitForLine((text) => text.includes('Ctrl-C to stop'), { stream: 'stderr' });
    expect(cli.stderrLines.join('\n')).toContain('1 delivery from 1 file');
    expect(cli.stderrLines.join('\n')).toContain('no secret: signatures are shown as captured');
    expect(cli.stderrLines.join('\n')).not.toContain('watching');
  });

  it('warns like listen --host when --ui-host makes it reachable from the network', async () => {
    const dir = tempDir();
    writeJournal(dir, [signedRecord()]);
    const cli = inspect([dir, '--ui-port', '0', '--ui-host', '0.0.0.0']);
    const warning = await cli.waitForLine((text) => text.startsWith('warning:'), { stream: 'stderr' });
    expect(warning).toContain('--ui-host 0.0.0.0: the inspector is reachable from the network');
    expect(warning).toContain('keep it on 127.0.0.1 unless you mean it');
  });

  it('clear errors: a missing path (exit 2), a taken --ui-port (exit 1), a bad flag value (exit 2)', async () => {
    const dir = tempDir();
    const missing = await runCli(['inspect', `${dir}/nope`, '--ui-port', '0']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(`hookctl: ${dir}/nope: no such file or folder`);
    const byDefault = await runCli(['inspect'], { cwd: dir });
    expect(byDefault.code).toBe(2);
    expect(byDefault.stderr).toContain('fixtures/captured: no such file or folder (give the journals, fixture files or folders to inspect)');

    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    writeJournal(dir, [signedRecord()]);
    try {
      const taken = await runCli(['inspect', dir, '--ui-port', String(port)]);
      expect(taken.code).toBe(1);
      expect(taken.stderr.trim()).toBe(`hookctl: --ui-port: ${port} is already in use on 127.0.0.1 (pick another, or --ui-port 0 for a free one)`);
    } finally {
      busy.close();
    }
    const bad = await runCli(['inspect', dir, '--ui-port', 'eighty']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--ui-port/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
