import { readFileSync } from 'node:fs';
import { usageError } from '../errors.js';
import { fileProblem } from '../input/file-errors.js';

export interface SecretFlags {
  secret?: string[];
  secretFile?: string[];
  /** A PEM (or provider-form) private key file, to sign as an asymmetric provider. */
  privateKey?: string;
  /** Public key or certificate files, to verify an asymmetric provider; repeatable. */
  publicKey?: string[];
}

/** A key file's text: read once, never echoed; errors name the flag and the path. */
function readKeyFile(flag: string, path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw usageError(`${flag}: cannot read ${path} (${fileProblem(error)})`);
  }
  if (text.trim().length === 0) throw usageError(`${flag}: ${path} is empty`);
  return text.trim();
}

/**
 * Secrets from --secret (repeatable), --secret-file (repeatable), else HOOKCTL_SECRET. A secret is
 * never echoed: errors name the flag or file, never the value.
 */
export function resolveSecrets(flags: SecretFlags, env: NodeJS.ProcessEnv = process.env): string[] {
  // Keys are the secrets of asymmetric schemes (Discord, SendGrid, SNS…): the private key first,
  // so a signer takes it; a verifier tries each key (a private key verifies by its public half).
  const secrets: string[] = [];
  if (flags.privateKey !== undefined) secrets.push(readKeyFile('--private-key', flags.privateKey));
  for (const path of flags.publicKey ?? []) secrets.push(readKeyFile('--public-key', path));
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

/**
 * The flag a signing key came from, for an error about it: the private key signs when one is given
 * (resolveSecrets puts it first), else a secret.
 */
export function signingKeyFlag(flags: SecretFlags): '--private-key' | '--secret' {
  return flags.privateKey !== undefined ? '--private-key' : '--secret';
}

/** Where each of resolveSecrets' secrets came from, in its order: the flag (or variable) to name in an error about it. */
export function secretOrigins(flags: SecretFlags): string[] {
  const origins: string[] = [];
  if (flags.privateKey !== undefined) origins.push('--private-key');
  for (const _ of flags.publicKey ?? []) origins.push('--public-key');
  for (const _ of flags.secret ?? []) origins.push('--secret');
  for (const _ of flags.secretFile ?? []) origins.push('--secret-file');
  if (origins.length === 0) origins.push('HOOKCTL_SECRET');
  return origins;
}

/** The one secret a signer needs; a usage error naming where secrets come from when there is none. */
export function requireSigningSecret(flags: SecretFlags, env: NodeJS.ProcessEnv = process.env): string {
  const [secret] = resolveSecrets(flags, env);
  if (secret === undefined) throw usageError('--secret: a secret is required (or --secret-file, or HOOKCTL_SECRET; --private-key FILE for Discord, Telnyx, SendGrid, SNS, Plaid and Pub/Sub)');
  return secret;
}
