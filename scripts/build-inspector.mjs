// Builds the inspector's page into dist/inspector/ui: ONE HTML file holding the boot script, the
// stylesheet and the app (preact and jsdiff bundled in, nothing fetched at run time but the data),
// the icon, and the licences of the bundled libraries. Run by `npm run build` after tsc.
//
// Inline, because every file the page waits for is a round trip between the browser's processes
// and hookctl's, and on a busy machine each costs tens of milliseconds: the boot script asks for
// the first rows while the rest of the document is still being parsed. The CSP allows exactly these
// scripts and this stylesheet by their SHA-256 (the server hashes them from the file), never
// 'unsafe-inline'.
import { build, transform } from 'esbuild';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = `${root}src/inspector/ui/`;
const out = `${root}dist/inspector/ui/`;
await mkdir(out, { recursive: true });

/** One minified classic script (no module: an inline module would wait for the whole document). */
async function script(entry) {
  const result = await build({
    entryPoints: [`${source}${entry}`],
    bundle: true,
    write: false,
    format: 'iife',
    minify: true,
    // Browsers a developer keeps open today; no polyfills.
    target: ['chrome115', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'warning',
  });
  return result.outputFiles[0].text.trim();
}

const style = (await transform(await readFile(`${source}app.css`, 'utf8'), { loader: 'css', minify: true, legalComments: 'none' })).code.trim();
const [boot, app] = await Promise.all([script('boot.ts'), script('main.tsx')]);
// What would end the element early (esbuild escapes these in strings; this makes sure).
for (const [name, text, closing] of [['boot.ts', boot, '</script'], ['main.tsx', app, '</script'], ['app.css', style, '</style']]) {
  if (text.toLowerCase().includes(closing) || text.includes('<!--')) throw new Error(`${name}: the built code holds ${closing} or <!--, which would break the inline page`);
}

const template = await readFile(`${source}index.html`, 'utf8');
const page = template
  .replace('<script data-inline="boot.ts"></script>', () => `<script>${boot}</script>`)
  .replace('<style data-inline="app.css"></style>', () => `<style>${style}</style>`)
  .replace('<script data-inline="main.tsx"></script>', () => `<script>${app}</script>`);
if (page.includes('data-inline=')) throw new Error('index.html: a data-inline placeholder was not filled');
// Files of earlier builds, which served the script and the stylesheet separately.
await Promise.all(['app.js', 'app.css'].map((name) => rm(`${out}${name}`, { force: true })));
await writeFile(`${out}index.html`, page);
await copyFile(`${source}favicon.svg`, `${out}favicon.svg`);

const bundled = ['preact', 'diff'];
const notices = await Promise.all(
  bundled.map(async (name) => {
    const pkg = JSON.parse(await readFile(`${root}node_modules/${name}/package.json`, 'utf8'));
    const license = await readFile(`${root}node_modules/${name}/LICENSE`, 'utf8');
    return `${name}@${pkg.version} (${pkg.license})\n\n${license.trim()}\n`;
  }),
);
await writeFile(`${out}LICENSES.txt`, `The inspector page bundles these libraries:\n\n${notices.join('\n----\n\n')}`);
