// Builds the inspector's page into dist/inspector/ui: one minified ES module (preact and jsdiff
// bundled in, nothing fetched at run time), the stylesheet, the HTML shell, and the licences of
// the bundled libraries. Run by `npm run build` after tsc.
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = `${root}src/inspector/ui/`;
const out = `${root}dist/inspector/ui/`;
await mkdir(out, { recursive: true });

await build({
  entryPoints: [`${source}main.tsx`],
  outfile: `${out}app.js`,
  bundle: true,
  format: 'esm',
  minify: true,
  // Browsers a developer keeps open today; no polyfills.
  target: ['chrome115', 'firefox115', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
for (const file of ['index.html', 'app.css', 'favicon.svg']) await copyFile(`${source}${file}`, `${out}${file}`);

const bundled = ['preact', 'diff'];
const notices = await Promise.all(
  bundled.map(async (name) => {
    const pkg = JSON.parse(await readFile(`${root}node_modules/${name}/package.json`, 'utf8'));
    const license = await readFile(`${root}node_modules/${name}/LICENSE`, 'utf8');
    return `${name}@${pkg.version} (${pkg.license})\n\n${license.trim()}\n`;
  }),
);
await writeFile(`${out}LICENSES.txt`, `The inspector page bundles these libraries:\n\n${notices.join('\n----\n\n')}`);
