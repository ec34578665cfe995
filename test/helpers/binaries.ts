/**
 * The rule for suites that need a real server binary (redis-server, nginx, chromium): where it is
 * installed the suite runs; where it is not, `npm test` skips the suite and says, in one line, how
 * to install it; under CI=true a missing binary fails the suite instead, so CI always runs
 * everything (.ci/run installs the binaries first).
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';

export interface ServerBinary {
  /** What the user would call it: `redis-server`. */
  name: string;
  /** The Debian package that provides it. */
  aptPackage: string;
  /** Environment variable that points the tests at another binary (or, set to a missing path, pretends it is absent). */
  envVar: string;
  /** Where Debian puts it, for users whose PATH lacks the sbin folders. */
  fallbacks: string[];
}

export const REDIS_SERVER: ServerBinary = { name: 'redis-server', aptPackage: 'redis-server', envVar: 'HOOKCTL_TEST_REDIS_SERVER', fallbacks: ['/usr/bin/redis-server', '/usr/local/bin/redis-server'] };
export const NGINX: ServerBinary = { name: 'nginx', aptPackage: 'nginx-light', envVar: 'HOOKCTL_TEST_NGINX', fallbacks: ['/usr/sbin/nginx', '/usr/local/sbin/nginx'] };
export const CHROMIUM: ServerBinary = { name: 'chromium', aptPackage: 'chromium', envVar: 'HOOKCTL_TEST_CHROMIUM', fallbacks: ['/usr/bin/chromium'] };

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The binary's path, or undefined when it is not installed. */
export function findBinary(binary: ServerBinary, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const override = env[binary.envVar];
  if (override) return executable(override) ? override : undefined;
  const onPath = (env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, binary.name));
  return [...onPath, ...binary.fallbacks].find(executable);
}

export function installHint(binary: ServerBinary): string {
  return `${binary.name} is not installed; install it with: apt-get install ${binary.aptPackage}`;
}

function underCi(env: NodeJS.ProcessEnv): boolean {
  const value = env.CI;
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/**
 * `describe` for a suite that needs `binary`: runs it when installed; otherwise skips it with one
 * line on stderr saying how to install it, or (CI=true) replaces it with a failing test.
 * Returns the binary's path ('' when it is missing, so nothing in the skipped suite can use it).
 */
export function describeWithBinary(binary: ServerBinary, title: string, suite: (path: string) => void, env: NodeJS.ProcessEnv = process.env): string {
  const path = findBinary(binary, env);
  if (path) {
    describe(title, () => suite(path));
    return path;
  }
  if (underCi(env)) {
    describe(title, () => {
      it(`needs ${binary.name}`, () => {
        throw new Error(`${installHint(binary)} (CI=true: a suite that needs it must run, not skip)`);
      });
    });
    return '';
  }
  process.stderr.write(`skipped "${title}": ${installHint(binary)}\n`);
  describe.skip(title, () => suite(''));
  return '';
}
