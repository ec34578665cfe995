// Signing + verification throughput of each HMAC scheme next to bare node:crypto, in one run.
// One op = sign a body, then verify that signed request (what `send` + `listen` do per delivery).
// Bare = the same two HMAC-SHA256 computations (plus a timingSafeEqual) with node:crypto and
// nothing else. Target (issue #2): >= 0.9x bare at 64 KiB and above.
//   npm run bench:signing [-- --seconds 0.15 --rounds 7 --only standard,svix]
// The machine's noise is cancelled by pairing: each round measures a subject right beside its
// bare baseline (alternating which goes first), and the ratio reported is the median of the
// per-round ratios.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { getScheme } from '../src/schemes/registry.js';
import type { Scheme, SchemeOptions, VerifyInput } from '../src/schemes/types.js';

function flag(name: string, fallback: number, max: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at > 0 ? Number(process.argv[at + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? Math.min(value, max) : fallback;
}
const SECONDS = flag('seconds', 0.15, 5);
const ROUNDS = Math.round(flag('rounds', 7, 50));
const SIZES = [1024, 64 * 1024, 1024 * 1024];
const TIMESTAMP = 1_795_600_800;
const ID = 'msg_2Lm1Yv0Jb1oNn4Oq7Tt9Zz';
const URL = 'https://hooks.example.com/twilio/status';

interface Subject {
  name: string;
  scheme?: { name: string; options?: SchemeOptions; secret: string; extra?: Record<string, string> };
  /** What the bare baseline computes for this subject. */
  bare: 'hmac-sha256' | 'sha256';
}

const SUBJECTS: Subject[] = [
  { name: 'github', scheme: { name: 'github', secret: 'bench-secret' }, bare: 'hmac-sha256' },
  { name: 'stripe', scheme: { name: 'stripe', secret: 'whsec_bench_secret' }, bare: 'hmac-sha256' },
  { name: 'standard', scheme: { name: 'standard', secret: `whsec_${randomBytes(32).toString('base64')}` }, bare: 'hmac-sha256' },
  { name: 'svix', scheme: { name: 'svix', secret: `whsec_${randomBytes(32).toString('base64')}` }, bare: 'hmac-sha256' },
  { name: 'slack', scheme: { name: 'slack', secret: 'bench-secret' }, bare: 'hmac-sha256' },
  {
    name: 'shopify',
    scheme: { name: 'shopify', secret: 'bench-secret', extra: { 'x-shopify-topic': 'orders/create', 'x-shopify-shop-domain': 'a.myshopify.com', 'x-shopify-api-version': '2025-10', 'x-shopify-webhook-id': 'w1' } },
    bare: 'hmac-sha256',
  },
  { name: 'hmac (sha256 hex)', scheme: { name: 'hmac', secret: 'bench-secret' }, bare: 'hmac-sha256' },
  // Twilio signs the URL; a JSON body is covered by the SHA-256 in ?bodySHA256=, so its baseline is that hash + an HMAC-SHA1 of the URL.
  { name: 'twilio (JSON)', scheme: { name: 'twilio', secret: 'bench-secret' }, bare: 'sha256' },
];

// --only github,standard measures a subset (each alone keeps V8's call sites monomorphic, as in a
// listener that sees one provider; all together is the mixed, slightly slower case).
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? new Set((process.argv[onlyAt + 1] ?? '').split(',')) : undefined;
const CHOSEN = only ? SUBJECTS.filter((subject) => only.has(subject.name.split(' ')[0]!)) : SUBJECTS;

function jsonBody(size: number): Buffer {
  const filler = randomBytes(size).toString('base64').slice(0, size - 12);
  return Buffer.from(`{"data":"${filler}"}`.padEnd(size, ' '));
}

/** Returns one op for a subject and body: sign then verify, throwing if verification fails. */
function operation(subject: Subject, body: Buffer): () => void {
  if (!subject.scheme) throw new Error('no scheme');
  const { name, options, secret, extra } = subject.scheme;
  const scheme: Scheme = getScheme(name, options);
  return () => {
    // signRequest as send does it: Twilio's bodySHA256 URL is part of signing.
    const url = scheme.targetUrl ? scheme.targetUrl(URL, body) : undefined;
    const signed = scheme.sign({ body, secret, timestamp: TIMESTAMP, id: ID, ...(url ? { url } : {}) });
    // A real receiver gets the provider's other headers with the request; adding them is not signing work.
    const input: VerifyInput = { body, headers: extra ? Object.assign(signed, extra) : signed, secrets: [secret], toleranceSeconds: 300, nowMs: TIMESTAMP * 1000, ...(url ? { url } : {}) };
    if (!scheme.verify(input).verified) throw new Error(`${name} did not verify`);
  };
}

function bareOperation(kind: Subject['bare'], body: Buffer): () => void {
  const key = Buffer.from('bench-secret');
  const prefix = Buffer.from(`${TIMESTAMP}.`);
  if (kind === 'sha256') {
    // Twilio's own work: hash the body for ?bodySHA256=, HMAC-SHA1 the URL; on both sides.
    const url = Buffer.from(`${URL}?bodySHA256=${'0'.repeat(64)}`);
    return () => {
      const a = createHash('sha256').update(body).digest('hex');
      const signature = createHmac('sha1', key).update(url).digest();
      const b = createHash('sha256').update(body).digest('hex');
      const again = createHmac('sha1', key).update(url).digest();
      if (a !== b || !timingSafeEqual(signature, again)) throw new Error('bare mismatch');
    };
  }
  return () => {
    const a = createHmac('sha256', key).update(prefix).update(body).digest();
    const b = createHmac('sha256', key).update(prefix).update(body).digest();
    if (!timingSafeEqual(a, b)) throw new Error('bare mismatch');
  };
}

/**
 * Ops per CPU-second over about SECONDS of this process's CPU time. CPU time rather than wall
 * time: on a shared machine other processes steal the core, which wall time would count as ours.
 */
function measure(op: () => void): number {
  const budget = SECONDS * 1e6;
  let count = 0;
  const start = process.cpuUsage();
  let used = 0;
  do {
    for (let i = 0; i < 4; i++) op();
    count += 4;
    const delta = process.cpuUsage(start);
    used = delta.user + delta.system;
  } while (used < budget);
  return count / (used / 1e6);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const kib = (size: number) => (size >= 1024 * 1024 ? `${size / 1024 / 1024} MiB` : `${size / 1024} KiB`);

const rows: string[][] = [['body', 'subject', 'ops/s', 'bare ops/s', 'ratio (median of paired rounds)', 'target']];
let missed = 0;
for (const size of SIZES) {
  const body = jsonBody(size);
  const ops = CHOSEN.map((subject) => ({ subject, op: operation(subject, body), bare: bareOperation(subject.bare, body), ours: [] as number[], baseline: [] as number[] }));
  for (const entry of ops) for (let i = 0; i < 3; i++) (entry.op(), entry.bare()); // warm-up
  // Interleave: each round measures every subject right next to its bare baseline.
  for (let round = 0; round < ROUNDS; round++) {
    for (const entry of ops) {
      if (round % 2 === 0) {
        entry.baseline.push(measure(entry.bare));
        entry.ours.push(measure(entry.op));
      } else {
        entry.ours.push(measure(entry.op));
        entry.baseline.push(measure(entry.bare));
      }
    }
  }
  for (const entry of ops) {
    const ours = median(entry.ours);
    const bare = median(entry.baseline);
    const ratio = median(entry.ours.map((value, i) => value / entry.baseline[i]!));
    const gated = size >= 64 * 1024;
    if (gated && ratio < 0.9) missed++;
    rows.push([kib(size), entry.subject.name, ours.toFixed(0), `${bare.toFixed(0)}${entry.subject.bare === 'sha256' ? ' (twilio)' : ''}`, `${ratio.toFixed(3)}x`, gated ? (ratio >= 0.9 ? 'ok' : 'BELOW 0.9x') : '-']);
  }
}

const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
console.log(`sign+verify ops per CPU-second, median of ${ROUNDS} rounds x ${SECONDS}s per cell, Node ${process.version}, ${process.platform}/${process.arch}`);
console.log('bare = 2x createHmac(sha256).update(prefix).update(body) + timingSafeEqual; twilio: 2x (createHash(sha256) of the body + createHmac(sha1) of the URL)');
rows.forEach((row, index) => {
  console.log(row.map((cell, col) => (col <= 1 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  '));
  if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
});
console.log(`\ntarget >= 0.9x bare at 64 KiB and above: ${missed === 0 ? 'MET for every scheme' : `${missed} cell(s) below`}`);
