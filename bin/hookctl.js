#!/usr/bin/env node
// Thin entry: all logic lives in the compiled build (src/cli/entry.ts ends the process).
import { hideSecretsFromProcessTitle } from '../dist/cli/process-title.js';

// Before anything else loads: the shorter the time a secret on the command line shows in `ps`, the better.
hideSecretsFromProcessTitle();
const { runAsEntry } = await import('../dist/cli/entry.js');
await runAsEntry();
