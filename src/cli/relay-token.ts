import { usageError } from '../errors.js';
import { readSecretFile } from './queue-options.js';

/**
 * The relay's subscribe token, never from the command line (it would show in `ps` and shell
 * history): --relay-token-file, else HOOKCTL_RELAY_TOKEN, else HOOKCTL_RELAY_TOKEN_FILE or the
 * config file's "relayTokenFile" (flags > env > config, as everywhere). Never echoed.
 */
export function resolveRelayToken(tokenFile: string | undefined, tokenFileSource: string | undefined, env: NodeJS.ProcessEnv): string {
  if (tokenFile !== undefined && tokenFileSource === 'cli') return readSecretFile(tokenFile, '--relay-token-file');
  const fromEnv = env.HOOKCTL_RELAY_TOKEN;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv.trim();
  if (tokenFile !== undefined) return readSecretFile(tokenFile, tokenFileSource === 'config' ? 'relayTokenFile (config)' : '--relay-token-file');
  throw usageError('--relay: a subscribe token is required: --relay-token-file FILE or HOOKCTL_RELAY_TOKEN (relay channel create prints it once)');
}
