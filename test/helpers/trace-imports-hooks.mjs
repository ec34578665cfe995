// Loader-thread half of trace-imports.mjs: logs each resolved URL.
import { appendFileSync } from 'node:fs';

let traceFile;

export function initialize(data) {
  traceFile = data.traceFile;
}

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  appendFileSync(traceFile, `${result.url}\n`);
  return result;
}
