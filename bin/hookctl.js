#!/usr/bin/env node
// Thin entry: all logic lives in the compiled build. Only this file ends the process.
import { hideSecretsFromProcessTitle } from '../dist/cli/process-title.js';

// Before anything else loads: the shorter the time a secret on the command line shows in `ps`, the better.
hideSecretsFromProcessTitle();
const { main } = await import('../dist/cli/main.js');

// `hookctl … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

process.exit(await main(process.argv));
