#!/usr/bin/env node
// Thin entry: all logic lives in the compiled build. Only this file ends the process.
import { main } from '../dist/cli/main.js';

process.exit(await main(process.argv));
