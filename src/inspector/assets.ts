/**
 * The page's static files, built by `npm run build` (scripts/build-inspector.mjs) into
 * dist/inspector/ui and read once at start, served from memory: the page (scripts and stylesheet
 * inline), its icon and the licences.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  type: string;
  body: Buffer;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Where the built page is: beside this module in dist, or (running from src with tsx) in the
 * package's dist. Undefined when it was never built.
 */
export function assetsDir(): string | undefined {
  const candidates = [new URL('./ui/', import.meta.url), new URL('../../dist/inspector/ui/', import.meta.url)];
  for (const candidate of candidates) {
    const dir = fileURLToPath(candidate);
    // (Beside the sources sits the page's template, with its scripts still to be filled in.)
    if (existsSync(join(dir, 'index.html')) && !readFileSync(join(dir, 'index.html'), 'utf8').includes('data-inline=')) return dir;
  }
  return undefined;
}

/** Every built file by its URL path (`/assets/app.js`, and `/` for the page). */
export async function loadAssets(dir: string): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const name of await readdir(dir)) {
    const type = TYPES[extname(name)];
    if (!type || name.endsWith('.map')) continue;
    const body = await readFile(join(dir, name));
    if (name === 'index.html') assets.set('/', { type, body });
    else assets.set(`/assets/${name}`, { type, body });
  }
  return assets;
}

/**
 * CSP sources for the page's inline scripts and stylesheets, by hash: exactly what the build put
 * there runs, nothing else (no 'unsafe-inline').
 */
export function inlineHashes(html: string): { scripts: string[]; styles: string[] } {
  const hashes = (tag: string) => [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((match) => `'sha256-${createHash('sha256').update(match[1]!, 'utf8').digest('base64')}'`);
  return { scripts: hashes('script'), styles: hashes('style') };
}
