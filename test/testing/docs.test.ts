import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONSUMER = join(ROOT, 'test/testing/consumer');
const DOC = readFileSync(join(ROOT, 'docs/testing.md'), 'utf8');

/** Every `<!-- file: PATH -->` followed by a fenced block: the doc's quotation of PATH. */
function quotations(markdown: string): Array<{ path: string; text: string }> {
  const found: Array<{ path: string; text: string }> = [];
  for (const match of markdown.matchAll(/<!-- file: (\S+) -->\n```[a-z]*\n([\s\S]*?)```\n/g)) found.push({ path: match[1]!, text: match[2]! });
  return found;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

describe('docs/testing.md', () => {
  const quoted = quotations(DOC);

  it('quotes every recipe file byte for byte, as the consumer test runs it', () => {
    expect(quoted.length).toBeGreaterThan(5);
    for (const { path, text } of quoted) expect(text, path).toBe(readFileSync(join(ROOT, path), 'utf8'));
  });

  it('quotes every file of the consumer project', () => {
    const paths = new Set(quoted.map((quote) => quote.path));
    for (const file of filesUnder(CONSUMER)) expect([...paths], relative(ROOT, file)).toContain(relative(ROOT, file));
  });

  it('a quotation that drifted from its file is caught (control)', () => {
    const [first] = quoted;
    const drifted = DOC.replace(first!.text, `${first!.text}// edited in the doc only\n`);
    const again = quotations(drifted).find((quote) => quote.path === first!.path)!;
    expect(again.text).not.toBe(readFileSync(join(ROOT, first!.path), 'utf8'));
  });
});
