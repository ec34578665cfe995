// Builds the CommonJS entry of `hookctl/testing` (dist/cjs/testing.cjs) for `require()` users:
// Node 20 cannot require() the ESM build without a flag. One bundle of src/testing and the core it
// uses; the package's dependencies stay outside it (required from node_modules, as the ESM build
// imports them). Run by `npm run build` after tsc.
//
// It sits two folders below the package root like every module of dist/, and `import.meta.url`
// is this file's URL, so paths the core finds relative to itself (the sample events in
// fixtures/) resolve the same from both builds.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const result = await build({
  entryPoints: [`${root}src/testing/index.ts`],
  outfile: `${root}dist/cjs/testing.cjs`,
  bundle: true,
  // Input paths in the metafile are then relative to the package root, whatever the cwd.
  absWorkingDir: root,
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

// The shared import.meta.url is right only for modules two folders down (src/<capability>/x.ts):
// one deeper that finds files relative to itself would look in the wrong place from the bundle.
const misplaced = Object.keys(result.metafile.inputs).filter((path) => path.startsWith('src/') && path.split('/').length !== 3 && readFileSync(`${root}${path}`, 'utf8').includes('import.meta.url'));
if (misplaced.length > 0) {
  console.error(`build-testing-cjs: ${misplaced.join(', ')} use import.meta.url but are not two folders below the package root; the CommonJS bundle would resolve their paths wrongly`);
  process.exit(1);
}

const externals = new Set();
for (const input of Object.values(result.metafile.inputs)) for (const imported of input.imports) if (imported.external) externals.add(imported.path);
// Only what the CLI already depends on, and none of its terminal modules (ESM-only: require() of them fails on Node 20).
const { dependencies } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const terminal = new Set(['chalk', 'ora', '@inquirer/prompts', 'commander']);
const packageOf = (path) => (path.startsWith('@') ? path.split('/').slice(0, 2).join('/') : path.split('/')[0]);
const unexpected = [...externals].filter((path) => !path.startsWith('node:') && (!Object.hasOwn(dependencies, packageOf(path)) || terminal.has(packageOf(path))));
if (unexpected.length > 0) {
  console.error(`build-testing-cjs: the CommonJS bundle would require ${unexpected.join(', ')}; hookctl/testing may use only the core and the CLI's non-terminal dependencies`);
  process.exit(1);
}

// Its types: the ES build's declarations (dist/testing/, from tsc), re-exported for require(). A
// CommonJS file under `module: node16` may not import an ES module's types without saying so
// (`resolution-mode`), so this small .d.cts says so once for every CommonJS user.
const values = Object.keys(createRequire(import.meta.url)(`${root}dist/cjs/testing.cjs`)).sort();
const declarations = readFileSync(`${root}dist/testing/index.d.ts`, 'utf8');
const types = new Set();
for (const [, typeOnly, list] of declarations.matchAll(/export (type )?\{([^}]*)\}/g)) {
  for (const item of list.split(',').map((part) => part.trim()).filter(Boolean)) {
    const isType = Boolean(typeOnly) || item.startsWith('type ');
    const name = item.replace(/^type /, '').split(/\s+as\s+/).pop();
    if (isType) types.add(name);
  }
}
const from = `'../testing/index.js' with { 'resolution-mode': 'import' }`;
writeFileSync(
  `${root}dist/cjs/testing.d.cts`,
  [
    '// Types of the CommonJS build of hookctl/testing: those of the ES build (see its doc comments), for require().',
    `import type * as testing from ${from};`,
    `export type { ${[...types].sort().join(', ')} } from ${from};`,
    ...values.map((name) => `export declare const ${name}: typeof testing.${name};`),
    '',
  ].join('\n'),
);
