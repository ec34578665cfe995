// Summarises a V8 .cpuprofile (BENCH_PROFILE_DIR of the bench scripts): self time by function and
// by file, the busy share of each; with the .served file beside it, µs per delivery too.
//   node scripts/prof-top.cjs FILE.cpuprofile [top N]
const fs = require('fs');
const [file, n = 40] = process.argv.slice(2);
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const servedFile = file.replace(/\.cpuprofile$/, '.served');
const served = fs.existsSync(servedFile) ? Number(fs.readFileSync(servedFile, 'utf8')) : 0;
const byId = new Map(prof.nodes.map((node) => [node.id, node]));
const selfUs = new Map();
for (let i = 0; i < prof.samples.length; i++) selfUs.set(prof.samples[i], (selfUs.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
const byFunction = new Map();
const byFile = new Map();
let total = 0;
let idle = 0;
for (const [id, us] of selfUs) {
  const f = byId.get(id).callFrame;
  const where = f.url.replace(/^.*node_modules\//, '').replace(/^.*\/(dist|src|scripts)\//, '$1/') || `(${f.functionName || 'native'})`;
  total += us;
  if (f.functionName === '(idle)') {
    idle += us;
    continue;
  }
  const key = `${f.functionName || '(anon)'} ${where}:${f.lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  byFile.set(where, (byFile.get(where) ?? 0) + us);
}
const busy = total - idle;
const show = (us) => `${((us / busy) * 100).toFixed(1).padStart(5)}%${served ? `  ${(us / served).toFixed(1).padStart(6)} µs/delivery` : ''}`;
console.log(`profile ${(total / 1e6).toFixed(2)} s, busy ${(busy / 1e6).toFixed(2)} s${served ? `, ${served} deliveries, ${(busy / served).toFixed(1)} µs busy per delivery` : ''}`);
console.log('\nby function (self):');
for (const [key, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(`${show(us)}  ${key}`);
console.log('\nby file (self):');
for (const [key, us] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${show(us)}  ${key}`);

// Inclusive time (self + callees) of hookctl's own functions (dist/ and src/), summed over every
// place they are called from (a recursive function counted once per stack).
const inclusive = new Map();
const parentOf = new Map();
for (const node of prof.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
for (const [id, us] of selfUs) {
  const seen = new Set();
  for (let at = id; at !== undefined; at = parentOf.get(at)) {
    const f = byId.get(at).callFrame;
    if (!/\/(dist|src)\//.test(f.url) || f.url.includes('node_modules')) continue;
    const key = `${f.functionName || '(anon)'} ${f.url.replace(/^.*\/(dist|src)\//, '$1/')}:${f.lineNumber + 1}`;
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  }
}
console.log('\nhookctl functions, inclusive:');
for (const [key, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(`${show(us)}  ${key}`);
