/** A missing command is a failure (help on stderr, exit 1); help asked for is a success. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('hookctl without a command', () => {
  it('bare hookctl prints its help on stderr and exits 1', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Usage: hookctl \[options\] \[command\]/);
  });

  it('a command group without its subcommand (hookctl queue) exits 1 too', async () => {
    const result = await runCli(['queue']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Usage: hookctl queue/);
  });

  it('help asked for exits 0: --help, help, help COMMAND', async () => {
    for (const args of [['--help'], ['help'], ['help', 'send']]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout + result.stderr, args.join(' ')).toMatch(/Usage: hookctl/);
    }
  });
});
