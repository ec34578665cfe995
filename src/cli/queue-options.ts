/**
 * Flags every command that opens a Redis queue shares, and their parsing: which stream and group
 * (over the URL's query parameters) and a password kept out of `ps`.
 */
import { readFileSync } from 'node:fs';
import { Option, type Command, type OptionValues } from 'commander';
import { usageError } from '../errors.js';
import { parsePositiveDuration } from '../options/units.js';
import type { AddressOverrides } from '../options/queue-url.js';

export function addQueueOptions(command: Command): Command {
  return command
    .option('--stream <name>', 'stream name (default hookctl:deliveries, or ?stream= in the URL)')
    .option('--group <name>', 'consumer group (default hookctl:workers, or ?group= in the URL)')
    .addOption(new Option('--redis-password-file <path>', "read Redis's password from a file instead of the URL (keeps it out of ps)"))
    .option('--redis-timeout <duration>', 'give up on a Redis that does not answer (connecting, and each command) after this long (default 5s)');
}

/** --redis-timeout in ms, or undefined for the default. */
export function redisTimeoutFrom(options: OptionValues): number | undefined {
  return options.redisTimeout === undefined ? undefined : parsePositiveDuration(String(options.redisTimeout), '--redis-timeout');
}

/** A secret from a file named by `flag`: one trailing newline ignored, never echoed. */
export function readSecretFile(path: string, flag: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw usageError(`${flag}: cannot read ${path} (${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')})`);
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret.length === 0) throw usageError(`${flag}: ${path} is empty`);
  return secret;
}

export function queueOverridesFrom(options: OptionValues): AddressOverrides {
  const overrides: AddressOverrides = {};
  if (options.stream !== undefined) overrides.stream = String(options.stream);
  if (options.group !== undefined) overrides.group = String(options.group);
  if (options.redisPasswordFile !== undefined) {
    overrides.password = readSecretFile(String(options.redisPasswordFile), '--redis-password-file');
    overrides.passwordFile = String(options.redisPasswordFile);
  }
  return overrides;
}
