/**
 * `npm run bench:display`: what `hookctl listen`'s output costs per delivery, measured without a
 * network or a load generator (whose noise on a shared machine is larger than this cost).
 *
 * Each child process builds deliveries as the listener hands them to its renderer and renders them
 * through the real face (dist/: run `npm run build`): the terminal line, the NDJSON record, or
 * nothing (`quiet`, the baseline), or the default human view (`busy`: at this rate, one summary line a second), with stdout on /dev/null as in bench:listen, K deliveries per
 * event-loop turn (1: a listener at a steady pace; 16: one under load). The cost of a line is the
 * child's CPU per delivery minus the quiet child's, median over interleaved rounds.
 *
 * Compare it with the listener's own CPU per delivery (`BENCH_ONLY=cli-quiet npm run bench:listen`;
 * give it as BENCH_LISTENER_US to get the ratio printed): the target of issue 11 is ≤ 5%.
 *
 * Environment: BENCH_ROUNDS (default 5), BENCH_DELIVERIES per child (default 200000),
 * BENCH_LISTENER_US (the listener's --quiet CPU per delivery, µs).
 */
import { spawnSync } from 'node:child_process';
import { openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MODES = ['quiet', 'lines', 'json', 'busy'] as const;
type Mode = (typeof MODES)[number];
const PER_TURN = [1, 16];

if (process.argv[2] === '--child') await child(process.argv[3] as Mode, Number(process.argv[4]));
else parent();

async function child(mode: Mode, perTurn: number): Promise<void> {
  const { Output } = await import('../dist/cli/output.js');
  const { TerminalRenderer } = await import('../dist/commands/listen/terminal.js');
  const { NdjsonRenderer } = await import('../dist/commands/listen/ndjson.js');
  const { RateAdaptiveView } = await import('../dist/commands/listen/aggregate.js');
  const count = Number(process.env.BENCH_DELIVERIES ?? 200_000);
  const output = new Output({ json: mode === 'json', env: { NO_COLOR: '1' } });
  // busy: the default human view, which past a few hundred a second shows one summary line a second.
  const renderer = mode === 'json' ? new NdjsonRenderer(output, false) : mode === 'lines' ? new TerminalRenderer(output, false) : mode === 'busy' ? new RateAdaptiveView(new TerminalRenderer(output, false), output) : undefined;
  output.streamStdout();
  const delivery = (n: number) =>
    // The fields the listener fills for its subscribers (src/listen/pipeline.ts), a verified GitHub delivery.
    ({ id: `20261130T203000.000Z-${n.toString(36)}`, eventId: `72d3162e-cc78-11e3-81ab-${n}`, eventType: 'issues', method: 'POST', path: '/', scheme: 'github', verified: true, reason: null, verification: null, duplicate: false, status: 200, bytes: 1024, capture: null, forward: null, forwardQueued: false, reset: false, injected: false, note: null, ms: 1, receivedAt: new Date(), headers: {}, body: Buffer.alloc(0), idempotencyKey: null }) as never;
  const start = process.cpuUsage();
  let made = 0;
  await new Promise<void>((resolve) => {
    const turn = () => {
      for (let k = 0; k < perTurn && made < count; k++, made++) {
        const built = delivery(made);
        renderer?.delivery(built);
      }
      if (made < count) setImmediate(turn);
      else resolve();
    };
    turn();
  });
  (renderer as { close?: () => void } | undefined)?.close?.();
  await output.flush();
  const used = process.cpuUsage(start);
  process.stderr.write(`${JSON.stringify({ us: (used.user + used.system) / count })}\n`);
}

function parent(): void {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const listenerUs = process.env.BENCH_LISTENER_US ? Number(process.env.BENCH_LISTENER_US) : undefined;
  const self = fileURLToPath(import.meta.url);
  const devNull = openSync('/dev/null', 'w');
  const results = new Map<string, number[]>();
  console.error(`bench:display — node ${process.version}, ${rounds} interleaved rounds, stdout on /dev/null`);
  for (let round = 0; round < rounds; round++) {
    for (const perTurn of PER_TURN) {
      // Alternate the order by round, so a burst of other work does not always hit the same mode.
      const order = round % 2 === 0 ? MODES : [...MODES].reverse();
      for (const mode of order) {
        const run = spawnSync(process.execPath, [...process.execArgv, self, '--child', mode, String(perTurn)], { stdio: ['ignore', devNull, 'pipe'], encoding: 'utf8' });
        const line = run.stderr.trim().split('\n').at(-1) ?? '';
        if (run.status !== 0 || !line.startsWith('{')) throw new Error(`${mode} child failed: ${run.stderr}`);
        const key = `${mode}/${perTurn}`;
        results.set(key, [...(results.get(key) ?? []), (JSON.parse(line) as { us: number }).us]);
      }
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
  console.error('\n| deliveries per turn | quiet µs | line µs (cost) | NDJSON µs (cost) | default view at this rate µs (cost) |');
  console.error('|---:|---:|---:|---:|---:|');
  for (const perTurn of PER_TURN) {
    const quiet = median(results.get(`quiet/${perTurn}`)!);
    const cell = (mode: Mode) => {
      const us = median(results.get(`${mode}/${perTurn}`)!);
      const cost = us - quiet;
      const ratio = listenerUs ? `, ${((cost / listenerUs) * 100).toFixed(1)}% of the listener's ${listenerUs} µs` : '';
      return `${us.toFixed(2)} (+${cost.toFixed(2)}${ratio})`;
    };
    console.error(`| ${perTurn} | ${quiet.toFixed(2)} | ${cell('lines')} | ${cell('json')} | ${cell('busy')} |`);
  }
}
