import { statSync } from 'node:fs';
import type { CommandContext } from '../../cli/context.js';
import { resolveRelayToken } from '../../cli/relay-token.js';
import { usageError } from '../../errors.js';
import { parseUrl } from '../../options/units.js';
import type { OptionSource } from './options.js';

export type RelayTransportName = 'sse' | 'long-poll' | 'poll';

/** `listen --relay …`: where to subscribe and how (the subscriber itself loads only with the flag). */
export interface RelaySettings {
  subscribeUrl: string;
  token: string;
  transport: RelayTransportName;
  group?: string;
  name?: string;
  /** Said once the listener is up (a token file other users can read). */
  warnings: string[];
}

const HEADER_VALUE = /^[\x21-\x7e]+$/;

/**
 * The subscribe URL ends in `/sub/<channel>` (below whatever prefix a proxy adds). Caught here
 * rather than as the relay's 404: the ingress URL pasted by mistake is a place anyone may write
 * to, so the subscriber's requests, token and all, would be stored there as deliveries.
 */
function checkSubscribePath(url: URL): void {
  const path = url.pathname.replace(/\/+$/, '').replace(/\/(events|poll|ack)$/, '');
  if (/\/sub\/[^/]+$/.test(path)) return;
  const shown = `${url.origin}${url.pathname}`;
  if (/\/in\/[^/]+/.test(path)) throw usageError(`--relay: ${shown} is the channel's ingress URL (where providers send); give its subscribe URL, …/sub/<channel> (relay channel create and list print it)`);
  throw usageError(`--relay: expected a channel's subscribe URL, …/sub/<channel> (relay channel create and list print it), got ${shown}`);
}

/** The relay flags; undefined without --relay (and then the other relay flags are usage errors). */
export function relaySettingsFrom(options: CommandContext['options'], env: NodeJS.ProcessEnv, source: OptionSource): RelaySettings | undefined {
  if (options.relay === undefined) {
    for (const [flag, name] of [['--relay-token-file', 'relayTokenFile'], ['--relay-transport', 'relayTransport'], ['--relay-group', 'relayGroup'], ['--relay-name', 'relayName']] as const) {
      if (options[name] !== undefined && source(name) !== 'config') throw usageError(`${flag}: only makes sense with --relay SUBSCRIBE_URL`);
    }
    return undefined;
  }
  const url = parseUrl(String(options.relay), '--relay');
  if (url.searchParams.has('token')) throw usageError('--relay: a token in the URL would show in ps and logs; give it with --relay-token-file or HOOKCTL_RELAY_TOKEN');
  checkSubscribePath(url);
  const { token, file } = resolveRelayToken(options.relayTokenFile === undefined ? undefined : String(options.relayTokenFile), source('relayTokenFile'), env);
  if (!HEADER_VALUE.test(token)) throw usageError('--relay-token-file: the token holds spaces or control characters (is it the right file?)');
  const settings: RelaySettings = { subscribeUrl: url.href, token, transport: (options.relayTransport as RelayTransportName | undefined) ?? 'sse', warnings: [] };
  // Whoever can read the token can read every delivery of the channel; as relay serve says of its admin token.
  if (file && (statSync(file.path).mode & 0o077) !== 0) settings.warnings.push(`${file.named}: ${file.path} can be read by other users; chmod 600 it`);
  // A 404 is a refusal, which settles an entry: what --path turns away is acknowledged and gone.
  if (options.path !== undefined && source('path') !== 'default') settings.warnings.push(`--path ${String(options.path)} with --relay: a relayed delivery to any other path is refused (404) and acknowledged, so the relay keeps it no longer; give providers the ingress URL followed by ${String(options.path)}`);
  if (options.relayGroup !== undefined) {
    const group = String(options.relayGroup);
    if (!HEADER_VALUE.test(group)) throw usageError(`--relay-group: "${group}" must be printable without spaces`);
    settings.group = group;
  }
  if (options.relayName !== undefined) {
    const name = String(options.relayName);
    if (!HEADER_VALUE.test(name)) throw usageError(`--relay-name: "${name}" must be printable without spaces`);
    settings.name = name;
  }
  return settings;
}
