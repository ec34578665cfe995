// Builds the CommonJS entry of `hookctl/testing` (dist/cjs/testing.cjs) for `require()` users:
// Node 20 cannot require() the ESM build without a flag. One bundle of src/testing and the core it
// uses; the package's dependencies stay outside it (required from node_modules, as the ESM build
// imports them). Run by `npm run build` after tsc.
//
// It sits two folders below the package root like every module of dist/, and `import.meta.url`
// is this file's URL, so paths the core finds relative to itself (the sample events in
// fixtures/) resolve the same from both builds.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const result = await build({
  entryPoints: [`${root}src/testing/index.ts`],
  outfile: `${root}dist/cjs/testing.cjs`,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  define: { 'import.meta.url': '__hookctlModuleUrl' },
  banner: { js: "'use strict';\nconst __hookctlModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // Smaller without losing names: stack traces still point at readable functions.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});

const externals = new Set();
for (const input of Object.values(result.metafile.inputs)) for (const imported of input.imports) if (imported.external) externals.add(imported.path);
const allowed = new Set(['undici', 'redis']);
const unexpected = [...externals].filter((name) => !name.startsWith('node:') && !allowed.has(name.split('/')[0]) && !name.startsWith('undici/'));
if (unexpected.length > 0) {
  // An ESM-only dependency (chalk, ora) would break require(): the testing entry must not reach it.
  console.error(`build-testing-cjs: the CommonJS bundle requires ${unexpected.join(', ')}; keep terminal modules out of src/testing's imports`);
  process.exit(1);
}
