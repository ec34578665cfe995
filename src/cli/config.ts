import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { usageError } from '../errors.js';
import { fileProblem } from '../input/file-errors.js';
import { collect } from './shared-options.js';

export const CONFIG_FILES = ['hookctl.config.json', '.hookctlrc', '.hookctlrc.json'];

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
  const section = { ...(config.values['*'] ?? {}), ...(config.values[command.name()] ?? {}) };
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
