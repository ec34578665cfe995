import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { usageError } from '../errors.js';
import { fileProblem } from '../input/file-errors.js';
import { collect } from './shared-options.js';
import { didYouMean } from './suggest.js';

export const CONFIG_FILES = ['hookctl.config.json', '.hookctlrc', '.hookctlrc.json'];

/**
 * A section that names no command (`{"lisen": …}`) would be ignored without a word, while a
 * misspelled key inside a section is an error: both are errors, with the nearest name.
 */
export function checkSections(config: ConfigFile, commandNames: readonly string[]): void {
  const allowed = ['*', ...new Set(commandNames)];
  for (const key of Object.keys(config.values)) {
    if (allowed.includes(key) || key.startsWith('$')) continue;
    const guess = didYouMean(key, allowed);
    throw usageError(`config ${config.path}: unknown section "${key}"${guess ? ` (did you mean ${guess}?)` : ''}; sections are command names (${allowed.filter((name) => name !== '*').join(', ')}) or "*"`);
  }
}

export interface ConfigFile {
  path: string;
  /** Option defaults per command name, and `"*"` for all commands. */
  values: Record<string, Record<string, unknown>>;
}

/** Finds and reads the config file: --config / HOOKCTL_CONFIG, else the first of CONFIG_FILES in cwd. */
export function loadConfig(cwd: string, explicit: string | undefined): ConfigFile | undefined {
  const candidates = explicit ? [resolve(cwd, explicit)] : CONFIG_FILES.map((name) => join(cwd, name));
  for (const path of candidates) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if (explicit) throw usageError(`--config: cannot read ${explicit} (${fileProblem(error)})`);
      continue;
    }
    let values: unknown;
    try {
      values = JSON.parse(text);
    } catch (error) {
      throw usageError(`config ${path}: not valid JSON (${(error as Error).message})`);
    }
    if (values === null || typeof values !== 'object' || Array.isArray(values)) {
      throw usageError(`config ${path}: expected an object like {"listen": {"port": 4000}}`);
    }
    return { path, values: values as ConfigFile['values'] };
  }
  return undefined;
}

/**
 * Applies config values to a command's options where neither the command line nor the environment
 * set them, so precedence is: flags > HOOKCTL_* env > config file > defaults.
 */
export function applyConfig(command: Command, config: ConfigFile): void {
  const section = sectionFor(command, config);
  const known = new Map(command.options.map((option) => [option.attributeName(), option]));
  for (const [key, value] of Object.entries(section)) {
    if (key === 'secret') {
      throw usageError(`config ${config.path}: "secret" is not allowed in a config file that may be committed; use "secretFile" or HOOKCTL_SECRET`);
    }
    if (key === 'relayToken') {
      throw usageError(`config ${config.path}: "relayToken" is not allowed in a config file that may be committed; use "relayTokenFile" or HOOKCTL_RELAY_TOKEN`);
    }
    const option = known.get(key);
    if (!option) {
      if (Object.hasOwn(config.values, command.name())) {
        throw usageError(`config ${config.path}: unknown option "${key}" for ${command.name()} (use the flag's camelCase name, e.g. "forwardTo")`);
      }
      continue; // a "*" key that this command does not have
    }
    const source = command.getOptionValueSource(key);
    if (source === 'cli' || source === 'env') continue;
    const normalized = Array.isArray(value) ? value.map(String) : typeof value === 'number' ? String(value) : value;
    const repeatable = option.variadic || option.parseArg === collect;
    command.setOptionValueWithSource(key, repeatable ? [normalized].flat() : normalized, 'config');
  }
}

function sectionFor(command: Command, config: ConfigFile): Record<string, unknown> {
  return { ...(config.values['*'] ?? {}), ...(config.values[command.name()] ?? {}) };
}

/**
 * After the command line is parsed: --secret, --secret-file and HOOKCTL_SECRET name one thing, so
 * a secret given by any of them replaces the config file's secretFile instead of adding a second
 * secret to verify with (a repeatable --secret-file is appended to the config's value by the
 * parser: the config's part is taken off again).
 */
export function yieldConfigSecret(command: Command, config: ConfigFile, env: NodeJS.ProcessEnv = process.env): void {
  if (!command.options.some((option) => option.attributeName() === 'secretFile')) return;
  const fromConfig = sectionFor(command, config).secretFile;
  if (fromConfig === undefined) return;
  const configured = [fromConfig].flat().map(String);
  const fileSource = command.getOptionValueSource('secretFile');
  const secretSource = command.getOptionValueSource('secret');
  if (fileSource === 'cli') {
    const files = (command.getOptionValue('secretFile') as string[] | undefined) ?? [];
    const own = configured.every((file, i) => files[i] === file) ? files.slice(configured.length) : files;
    command.setOptionValueWithSource('secretFile', own, 'cli');
  } else if (fileSource === 'config' && (secretSource === 'cli' || secretSource === 'env' || Boolean(env.HOOKCTL_SECRET))) {
    command.setOptionValueWithSource('secretFile', undefined, 'default');
  }
}
