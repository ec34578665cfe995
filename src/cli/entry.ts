import { main } from './main.js';

/**
 * What an entry file does around main(): a closed pipe (`hookctl … | head`) is the reader's
 * choice, not an error; main's exit code ends the process. The one place besides the second
 * Ctrl-C (interrupt.ts) that calls process.exit. Run by bin/hookctl.js (the compiled build) and by
 * `npm run dev` (src/cli/dev.ts, under tsx).
 */
export async function runAsEntry(argv: string[] = process.argv): Promise<never> {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
  }
  const code = await main(argv);
  // A pipe whose reader is busy holds writes in Node's queue: exiting now would cut the output.
  await Promise.all([process.stdout, process.stderr].map(written));
  process.exit(code);
}

/** Resolves once everything written to the stream so far has been handed to the OS. */
function written(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}
