/** `listen --relay` flags: where the token comes from (flags > env > config), and what is refused. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { relaySettingsFrom } from '../../src/commands/listen/relay-options.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'hookctl-relay-opts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
};
const URL_ = 'https://relay.example.com/sub/github';

describe('the subscribe token', () => {
  it('--relay-token-file beats HOOKCTL_RELAY_TOKEN, which beats a file from the config', () => {
    const flag = file('flag', 'from-flag\n');
    const config = file('config', 'from-config\n');
    const cli = (name: string) => (name === 'relayTokenFile' ? 'cli' : undefined);
    const fromConfig = (name: string) => (name === 'relayTokenFile' ? 'config' : undefined);
    expect(relaySettingsFrom({ relay: URL_, relayTokenFile: flag }, { HOOKCTL_RELAY_TOKEN: 'from-env' }, cli)?.token).toBe('from-flag');
    expect(relaySettingsFrom({ relay: URL_, relayTokenFile: config }, { HOOKCTL_RELAY_TOKEN: 'from-env' }, fromConfig)?.token).toBe('from-env');
    expect(relaySettingsFrom({ relay: URL_, relayTokenFile: config }, {}, fromConfig)?.token).toBe('from-config');
    expect(relaySettingsFrom({ relay: URL_ }, { HOOKCTL_RELAY_TOKEN: 'from-env' }, () => undefined)).toMatchObject({ token: 'from-env', transport: 'sse' });
  });

  it('refused: none at all, an empty file, a token in the URL, relay flags without --relay', () => {
    expect(() => relaySettingsFrom({ relay: URL_ }, {}, () => undefined)).toThrow(/--relay: a subscribe token is required/);
    expect(() => relaySettingsFrom({ relay: URL_, relayTokenFile: file('empty', '\n') }, {}, () => 'cli')).toThrow(/--relay-token-file: .* is empty/);
    expect(() => relaySettingsFrom({ relay: `${URL_}?token=abc` }, { HOOKCTL_RELAY_TOKEN: 't' }, () => undefined)).toThrow(/token in the URL/);
    expect(() => relaySettingsFrom({ relayGroup: 'team' }, {}, () => 'cli')).toThrow(/--relay-group: only makes sense with --relay/);
    expect(relaySettingsFrom({}, {}, () => undefined)).toBeUndefined();
  });

  it('a token file other users can read is used, with a warning (a private one without)', () => {
    const open = file('open', 'tok\n');
    chmodSync(open, 0o644);
    expect(relaySettingsFrom({ relay: URL_, relayTokenFile: open }, {}, () => 'cli')?.warnings).toEqual([`--relay-token-file: ${open} can be read by other users; chmod 600 it`]);
    expect(relaySettingsFrom({ relay: URL_, relayTokenFile: file('private', 'tok\n') }, {}, () => 'cli')?.warnings).toEqual([]);
    expect(relaySettingsFrom({ relay: URL_ }, { HOOKCTL_RELAY_TOKEN: 'from-env' }, () => undefined)?.warnings).toEqual([]);
  });

  it('--relay must be a subscribe URL: the ingress URL (anyone may write there) and other paths are refused before any request', () => {
    const env = { HOOKCTL_RELAY_TOKEN: 't' };
    expect(() => relaySettingsFrom({ relay: 'https://relay.example.com/in/AbCdEf0123456789' }, env, () => undefined)).toThrow(/--relay: .*\/in\/AbCdEf0123456789 is the channel's ingress URL .*\/sub\/<channel>/);
    expect(() => relaySettingsFrom({ relay: 'https://relay.example.com/' }, env, () => undefined)).toThrow(/--relay: expected a channel's subscribe URL/);
    expect(() => relaySettingsFrom({ relay: 'https://relay.example.com/sub/' }, env, () => undefined)).toThrow(/--relay: expected a channel's subscribe URL/);
    for (const ok of [URL_, `${URL_}/`, `${URL_}/events`, 'https://example.com/relay/sub/a.b-c']) expect(relaySettingsFrom({ relay: ok }, env, () => undefined)?.subscribeUrl).toBe(new URL(ok).href);
  });

  it('--path with --relay warns that deliveries to other paths are refused and acknowledged', () => {
    const env = { HOOKCTL_RELAY_TOKEN: 't' };
    expect(relaySettingsFrom({ relay: URL_, path: '/github' }, env, (name) => (name === 'path' ? 'cli' : undefined))?.warnings).toEqual([expect.stringMatching(/^--path \/github with --relay: a relayed delivery to any other path is refused \(404\) and acknowledged/)]);
    expect(relaySettingsFrom({ relay: URL_ }, env, () => undefined)?.warnings).toEqual([]);
  });

  it('a config file cannot hold the token itself', async () => {
    const cwd = mkdtempSync(join(dir, 'cwd-'));
    writeFileSync(join(cwd, 'hookctl.config.json'), JSON.stringify({ listen: { relayToken: 'hush-123' } }));
    const result = await runCli(['listen', '--port', '0', '--relay', URL_], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/"relayToken" is not allowed in a config file.*relayTokenFile/);
    expect(result.stderr).not.toContain('hush-123');
  });
});
