// `npm run dev -- <command>`: the CLI from source under tsx, starting and ending the way bin/hookctl.js does.
import { hideSecretsFromProcessTitle } from './process-title.js';

hideSecretsFromProcessTitle();
const { runAsEntry } = await import('./entry.js');
await runAsEntry();
