/**
 * Sizes follow the convention Node users know from body parsers (the `bytes` package): `1mb` is
 * 1,048,576 bytes, and the README says so. `--max-body 1mb` once meant 1,000,000 while the README
 * promised 1 MiB.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseSize } from '../../src/options/units.js';
import { CliProcess } from '../helpers/cli.js';

const running: CliProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((cli) => cli.stop('SIGKILL')));
});

async function listener(args: string[]): Promise<string> {
  const cli = new CliProcess(['listen', '--port', '0', '--json', '--no-capture', ...args]);
  running.push(cli);
  const { url } = await cli.waitForRecord<{ url: string }>((r) => r.type === 'listening');
  return url;
}

async function statusFor(url: string, bytes: number): Promise<number> {
  const response = await fetch(url, { method: 'POST', body: Buffer.alloc(bytes, 0x61), headers: { 'content-type': 'text/plain' } });
  await response.arrayBuffer();
  return response.status;
}

describe('sizes', () => {
  it('--max-body takes binary units, and its default is 1mb = 1,048,576 bytes', async () => {
    for (const args of [[], ['--max-body', '1mb'], ['--max-body', '1MiB'], ['--max-body', '1024kb']]) {
      const url = await listener(args);
      expect([await statusFor(url, 1_048_576), await statusFor(url, 1_048_577)], args.join(' ') || 'default').toEqual([200, 413]);
    }
    const small = await listener(['--max-body', '2kb']);
    expect([await statusFor(small, 2048), await statusFor(small, 2049)]).toEqual([200, 413]);
  });

  it('every unit spelling', () => {
    expect(['512', '1k', '1kb', '1KiB', '1m', '1mb', '1MB', '1mib', '1g', '1gb', '1.5kb'].map((text) => parseSize(text, '--size'))).toEqual([
      512, 1024, 1024, 1024, 1_048_576, 1_048_576, 1_048_576, 1_048_576, 1_073_741_824, 1_073_741_824, 1536,
    ]);
  });
});
