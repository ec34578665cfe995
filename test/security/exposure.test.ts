/**
 * What the listener exposes: where it binds, and what of a delivery reaches the disk and the
 * terminal. Decision (docs/reliability.md): signature headers are captured (replay --as-is needs
 * them; they are MACs, not keys), but the listener's own secrets are redacted wherever they appear,
 * and credential headers (Authorization, Proxy-Authorization, Cookie, X-Api-Key, X-Auth-Token) are
 * redacted in captures and logs unless named with --keep-header. Forwarding passes them on intact.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';
import { startServer } from '../helpers/server.js';
import { allText, cleanup, expectStillServes, githubHeaders, onCleanup, post, SECRET, spawnListener, tempDir } from './support.js';

afterEach(cleanup);

/** The local address a listening TCP port is bound to, from /proc/net/tcp (no traffic needed). */
function boundAddress(port: number): string | undefined {
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue;
      const [address, hexPort] = local.split(':');
      if (parseInt(hexPort!, 16) === port) return address;
    }
  }
  return undefined;
}

describe('binding', () => {
  it('binds 127.0.0.1 by default, and says so', async () => {
    const listener = await spawnListener(['--no-capture', '--secret', SECRET]);
    expect(listener.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    if (existsSync('/proc/net/tcp')) expect(boundAddress(listener.port)).toBe('0100007F');
    expect(listener.cli.stderrLines.join('\n')).not.toMatch(/reachable from/i);
    await expectStillServes(listener);
  });

  it('--host 0.0.0.0 (or ::) prints a warning on stderr that it is reachable from the network; stdout stays NDJSON', async () => {
    for (const host of ['0.0.0.0', '::']) {
      const cli = new CliProcess(['listen', '--port', '0', '--json', '--no-capture', '--host', host]);
      onCleanup(() => cli.stop('SIGKILL'));
      await cli.waitForRecord((r) => r.type === 'listening');
      const warning = await cli.waitForLine((line) => /reachable from/i.test(line), { stream: 'stderr', timeoutMs: 5_000 });
      expect(warning).toMatch(/^warning: .*reachable from (other machines on )?the network/i);
      expect(warning).toMatch(/127\.0\.0\.1/);
      await cli.stop('SIGINT');
      expect(cli.records()).toHaveLength(cli.stdoutLines.length);
    }
    // Loopback spellings do not warn.
    for (const host of ['localhost', '::1']) {
      const cli = new CliProcess(['listen', '--port', '0', '--json', '--no-capture', '--host', host]);
      onCleanup(() => cli.stop('SIGKILL'));
      await cli.waitForRecord((r) => r.type === 'listening');
      await cli.stop('SIGINT');
      expect(cli.stderrLines.join('\n'), host).not.toMatch(/reachable from/i);
    }
  });
});

describe('secrets and credentials never reach captures or logs unredacted', () => {
  const TOKEN = 'tok_live_credential_9d8e7f';
  const COOKIE = 'session=cookie_value_1a2b3c';

  async function sendCredentialed(url: string): Promise<{ signature: string }> {
    const body = '{"action":"opened"}';
    const headers: Record<string, string> = {
      ...githubHeaders(body, SECRET, 'cred-1'),
      authorization: `Bearer ${TOKEN}`,
      'proxy-authorization': `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`,
      cookie: COOKIE,
      'x-api-key': TOKEN,
      'x-auth-token': TOKEN,
      // A sender echoing the listener's own secret in any header.
      'x-echo': `prefix ${SECRET} suffix`,
    };
    expect((await post(url, body, headers)).status).toBe(200);
    // Wrong signatures, wrong encodings: diagnosis paths must not print the secret either.
    expect((await post(url, body, { ...headers, 'x-github-delivery': 'cred-2', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` })).status).toBe(401);
    expect((await post(url, `${body}\n`, { ...headers, 'x-github-delivery': 'cred-3' })).status).toBe(401);
    return { signature: headers['x-hub-signature-256']! };
  }

  it('journal, --json --verbose and human --verbose: the secret and credential headers are redacted; signature headers are kept', async () => {
    const dir = tempDir();
    const listener = await spawnListener(['--capture', dir, '--secret', SECRET, '--verbose']);
    const { signature } = await sendCredentialed(listener.url);
    await expectStillServes(listener);
    await listener.cli.stop('SIGINT');
    const human = new CliProcess(['listen', '--port', '0', '--no-capture', '--secret', SECRET, '--verbose']);
    onCleanup(() => human.stop('SIGKILL'));
    const banner = await human.waitForLine((line) => line.startsWith('listening on'));
    await sendCredentialed(banner.replace('listening on ', '').trim());
    await human.waitForLine((line) => line.includes('likely cause'));
    await human.stop('SIGINT');

    const disk = allText(dir);
    const logs = [listener.cli.stdoutLines, listener.cli.stderrLines, human.stdoutLines, human.stderrLines].flat().join('\n');
    for (const [where, text] of [['capture', disk], ['logs', logs]] as const) {
      expect(text, where).not.toContain(SECRET);
      expect(text, where).not.toContain(TOKEN);
      expect(text, where).not.toContain(Buffer.from(`u:${TOKEN}`).toString('base64'));
      expect(text, where).not.toContain('cookie_value_1a2b3c');
    }
    const record = readFileSync(join(dir, 'deliveries.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { eventId: string; headers: Record<string, string> }).find((r) => r.eventId === 'cred-1')!;
    for (const name of ['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'x-auth-token', 'x-echo']) expect(record.headers[name], name).toMatch(/^\[redacted/);
    // Kept: replay --as-is sends them; they are MACs over this body, not the key.
    expect(record.headers['x-hub-signature-256']).toBe(signature);
  });

  it('--keep-header opts one credential header back in (never the listener secret); forwarding always passes them intact', async () => {
    const dir = tempDir();
    const app = await startServer((_req, res) => {
      res.end('ok');
    });
    onCleanup(() => app.close());
    const listener = await spawnListener(['--capture', dir, '--secret', SECRET, '--keep-header', 'Authorization', '--forward-to', app.url]);
    await sendCredentialed(listener.url);
    await listener.cli.stop('SIGINT');
    const record = readFileSync(join(dir, 'deliveries.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { eventId: string; headers: Record<string, string> }).find((r) => r.eventId === 'cred-1')!;
    expect(record.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(record.headers.cookie).toMatch(/^\[redacted/);
    expect(record.headers['x-echo']).toMatch(/^\[redacted/);
    // The app behind the listener gets the request as sent: its own auth must keep working.
    const forwarded = app.requests.find((request) => request.headers['x-github-delivery'] === 'cred-1')!;
    expect(forwarded.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(forwarded.headers.cookie).toBe(COOKIE);
    expect(forwarded.headers['x-echo']).toBe(`prefix ${SECRET} suffix`);
  });

  it('send and replay never print the secret, on success or failure', async () => {
    const dir = tempDir();
    const target = await startServer((_req, res) => {
      res.statusCode = 500;
      res.end('nope');
    });
    onCleanup(() => target.close());
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const sent = await runCli(['send', target.url, '--secret', secret, '--data', '{"a":1}', '--retry-schedule', '0,10ms', '--json']);
    expect(sent.code).toBe(1);
    const fixture = join(dir, 'f.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(fixture, JSON.stringify({ format: 'hookctl.delivery.v1', id: 'x', capturedAt: new Date().toISOString(), method: 'POST', path: '/', headers: { 'webhook-id': 'msg_1' }, bodyEncoding: 'utf8', body: '{}', bytes: 2, scheme: 'standard', eventId: 'msg_1', eventType: null, verified: true, reason: null, duplicate: false }));
    const replayed = await runCli(['replay', fixture, '--to', target.url, '--secret', secret, '--no-retry']);
    expect(replayed.code).toBe(1);
    const bad = await runCli(['send', target.url, '--scheme', 'standard', '--secret', 'whsec_!!bad-secret!!', '--data', '{}']);
    expect(bad.code).toBe(2);
    for (const result of [sent, replayed]) expect(result.stdout + result.stderr).not.toContain(secret);
    expect(bad.stdout + bad.stderr).not.toContain('!!bad-secret!!');
  });
});

describe('the secret in other spellings and places (hardening round 2)', () => {
  it('upper-cased, URL-encoded, whsec_-less copies in headers and a copy in the query string are redacted from captures and output', async () => {
    const secret = 'whsec_Zx9+pQ/rT2==';
    const bare = 'Zx9+pQ/rT2==';
    const dir = tempDir();
    const listener = await spawnListener(['--capture', dir, '--secret', secret, '--verbose']);
    const body = '{"action":"opened"}';
    const headers = {
      ...githubHeaders(body, secret, 'spell-1'),
      'x-upper': secret.toUpperCase(),
      'x-encoded': `k=${encodeURIComponent(secret)}`,
      'x-bare': bare,
      'x-bare-encoded': encodeURIComponent(bare),
    };
    const url = new URL(listener.url);
    url.search = `?token=${encodeURIComponent(secret)}&plain=${secret}&team=a`;
    expect((await post(url.href, body, headers)).status).toBe(200);
    await listener.cli.stop('SIGINT');
    const disk = allText(dir);
    const logs = [listener.cli.stdoutLines, listener.cli.stderrLines].flat().join('\n');
    for (const [where, text] of [['capture', disk], ['logs', logs]] as const) {
      for (const spelling of [secret, secret.toUpperCase(), encodeURIComponent(secret), bare, encodeURIComponent(bare)]) expect(text, `${where}: ${spelling}`).not.toContain(spelling);
    }
    const record = readFileSync(join(dir, 'deliveries.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { eventId: string; path: string; headers: Record<string, string> })[0]!;
    for (const name of ['x-upper', 'x-encoded', 'x-bare', 'x-bare-encoded']) expect(record.headers[name], name).toMatch(/^\[redacted/);
    expect(record.path).toBe('/?token=[redacted]&plain=[redacted]&team=a');
  });

  it('an unreachable app: the 502 to the sender names the app without its password', async () => {
    const gone = await startServer();
    await gone.close();
    const withPassword = gone.url.replace('http://', 'http://deploy:hunter2pass@');
    const listener = await spawnListener(['--no-capture', '--forward-to', withPassword, '--forward-timeout', '2s']);
    const answer = await post(listener.url, '{"id":"x"}');
    expect(answer.status).toBe(502);
    expect(answer.text).not.toContain('hunter2pass');
    expect(answer.text).toContain('deploy:***@');
    await listener.cli.stop('SIGINT');
    expect([...listener.cli.stdoutLines, ...listener.cli.stderrLines].join('\n')).not.toContain('hunter2pass');
  });
});

describe('a password in a forward URL is never shown', () => {
  it('listen --json forward records, the human lines, and hookctl queue dead hide it', async () => {
    const gone = await startServer();
    await gone.close();
    const target = `${gone.url.replace('http://', 'http://alice:hunter2pass@')}/hook`;
    const dir = tempDir();
    for (const json of [true, false]) {
      const args = ['--capture', dir, '--route', `type:*=${target}`, '--forward-to', target, '--ack-first', '--forward-retry-schedule', '0', '--forward-timeout', '2s'];
      const cli = json ? (await spawnListener(args)).cli : new CliProcess(['listen', '--port', '0', ...args]);
      onCleanup(() => cli.stop('SIGKILL'));
      const url = json ? cli.records()[0]!.url as string : (await cli.waitForLine((line) => line.startsWith('listening on'))).replace('listening on ', '').trim();
      expect((await post(url, '{"id":"pw-1","type":"x"}', { 'x-event-id': `pw-${json}` })).status).toBe(200);
      await cli.waitForLine((line) => /gave up|"delivered":false/.test(line));
      await cli.stop('SIGINT');
      const shown = [...cli.stdoutLines, ...cli.stderrLines].join('\n');
      expect(shown).toContain('alice:***@');
      expect(shown).not.toContain('hunter2pass');
    }
    for (const json of [[], ['--json']]) {
      const dead = await runCli(['queue', 'dead', dir, ...json]);
      expect(dead.code, dead.stderr).toBe(0);
      expect(dead.stdout + dead.stderr).toMatch(/alice:\*\*\*@/);
      expect(dead.stdout + dead.stderr).not.toContain('hunter2pass');
    }
  });
});
