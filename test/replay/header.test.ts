/** replay --header: a header added (or replacing one, any case) on every replayed request, re-signed or --as-is. */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { SECRET, verifyOfficially } from './support.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('hookctl replay --header', () => {
  it('adds a header and replaces a captured one, and the re-signed delivery still verifies', async () => {
    server = await startServer();
    const result = await runCli(['replay', 'fixtures/github/push.json', '--to', server.url, '--secret', SECRET, '-H', 'X-Tenant: acme', '-H', 'user-agent: hookctl-replay-test'], { cwd: ROOT });
    expect(result.code, result.stderr).toBe(0);
    const [request] = server.requests;
    expect(request!.headers['x-tenant']).toBe('acme');
    expect(request!.headers['user-agent']).toBe('hookctl-replay-test');
    await verifyOfficially('github', request!, SECRET, `${server.url}${request!.url}`);
  });

  it('applies to --as-is; a malformed value is a usage error and nothing is sent', async () => {
    server = await startServer();
    const asIs = await runCli(['replay', 'fixtures/stripe/invoice.payment_failed.json', '--to', server.url, '--as-is', '-H', 'X-Tenant: acme'], { cwd: ROOT });
    expect(asIs.code, asIs.stderr).toBe(0);
    expect(server.requests[0]!.headers['x-tenant']).toBe('acme');
    const bad = await runCli(['replay', 'fixtures/github/push.json', '--to', server.url, '--secret', SECRET, '-H', 'no colon here'], { cwd: ROOT });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^hookctl: --header/);
    expect(server.requests).toHaveLength(1);
  });
});
