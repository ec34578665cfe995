import { readFileSync } from 'node:fs';
import { usageError } from '../errors.js';
import { fileProblem } from '../input/file-errors.js';

export interface SecretFlags {
  secret?: string[];
  secretFile?: string[];
}

/**
 * Secrets from --secret (repeatable), --secret-file (repeatable), else HOOKCTL_SECRET. A secret is
 * never echoed: errors name the flag or file, never the value.
 */
export function resolveSecrets(flags: SecretFlags, env: NodeJS.ProcessEnv = process.env): string[] {
  const secrets: string[] = [];
  for (const value of flags.secret ?? []) {
    if (value.length === 0) throw usageError('--secret: the secret is empty (an unset environment variable in "$VAR"?)');
    secrets.push(value);
  }
  for (const path of flags.secretFile ?? []) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw usageError(`--secret-file: cannot read ${path} (${fileProblem(error)})`);
    }
    // Files end with a newline by convention; the secret does not.
    const secret = text.replace(/\r?\n$/, '');
    if (secret.length === 0) throw usageError(`--secret-file: ${path} is empty`);
    secrets.push(secret);
  }
  if (secrets.length === 0 && env.HOOKCTL_SECRET) secrets.push(env.HOOKCTL_SECRET);
  return secrets;
}

/** The one secret a signer needs; a usage error naming where secrets come from when there is none. */
export function requireSigningSecret(flags: SecretFlags, env: NodeJS.ProcessEnv = process.env): string {
  const [secret] = resolveSecrets(flags, env);
  if (secret === undefined) throw usageError('--secret: a secret is required (or --secret-file, or HOOKCTL_SECRET)');
  return secret;
}
