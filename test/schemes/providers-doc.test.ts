import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { render } from '../../scripts/gen-providers-doc.js';
import { SCHEME_CATALOG } from '../../src/schemes/catalog.js';

describe('docs/providers.md', () => {
  it('is what scripts/gen-providers-doc.ts writes from the catalog (run npm run docs:providers)', () => {
    const page = readFileSync(new URL('../../docs/providers.md', import.meta.url), 'utf8');
    expect(page).toBe(render());
    for (const { scheme } of SCHEME_CATALOG) expect(page).toContain(`| \`${scheme}\` |`);
  });
});
