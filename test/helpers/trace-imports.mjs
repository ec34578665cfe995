// Preload for `node --import`: records every module the process loads, ESM and CommonJS, one
// resolved URL per line, in the file named by HOOKCTL_TRACE_FILE. NODE_DEBUG=module shows only
// CommonJS, so ESM loads are traced with a module.register() resolve hook.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { pathToFileURL } from 'node:url';

const traceFile = process.env.HOOKCTL_TRACE_FILE;
if (!traceFile) throw new Error('trace-imports.mjs: set HOOKCTL_TRACE_FILE');

// ESM (and CommonJS reached through import): the hooks run on the loader thread.
register('./trace-imports-hooks.mjs', import.meta.url, { data: { traceFile } });

// CommonJS require() calls made by CommonJS code do not pass the ESM hooks on Node 20.
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function tracedResolve(request, ...rest) {
  const resolved = resolveFilename.call(this, request, ...rest);
  appendFileSync(traceFile, `${resolved.startsWith('/') ? pathToFileURL(resolved).href : `node:${resolved}`}\n`);
  return resolved;
};
