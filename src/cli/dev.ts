// `npm run dev -- <command>`: the CLI from source under tsx, ending the way bin/hookctl.js does.
import { runAsEntry } from './entry.js';

await runAsEntry();
