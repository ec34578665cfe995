import { usageError } from '../errors.js';
import { readSecretFile } from './queue-options.js';

/** The token, and the file it was read from (with the flag or setting that named it). */
export interface RelayToken {
  token: string;
  file?: { path: string; named: string };
}

/**
 * The relay's subscribe token, never from the command line (it would show in `ps` and shell
 * history): --relay-token-file, else HOOKCTL_RELAY_TOKEN, else HOOKCTL_RELAY_TOKEN_FILE or the
 * config file's "relayTokenFile" (flags > env > config, as everywhere). Never echoed.
 */
export function resolveRelayToken(tokenFile: string | undefined, tokenFileSource: string | undefined, env: NodeJS.ProcessEnv): RelayToken {
  const fromFile = (named: string): RelayToken => ({ token: readSecretFile(tokenFile!, named), file: { path: tokenFile!, named } });
  if (tokenFile !== undefined && tokenFileSource === 'cli') return fromFile('--relay-token-file');
  const fromEnv = env.HOOKCTL_RELAY_TOKEN;
  if (fromEnv !== undefined && fromEnv !== '') return { token: fromEnv.trim() };
  if (tokenFile !== undefined) return fromFile(tokenFileSource === 'config' ? 'relayTokenFile (config)' : '--relay-token-file');
  throw usageError('--relay: a subscribe token is required: --relay-token-file FILE or HOOKCTL_RELAY_TOKEN (relay channel create prints it once)');
}
