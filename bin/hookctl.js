#!/usr/bin/env node
// Thin entry: all logic lives in the compiled build. Only this file ends the process.
import { main } from '../dist/cli/main.js';

// `hookctl … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

process.exit(await main(process.argv));
