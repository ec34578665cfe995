import type { ChalkInstance } from 'chalk';
import { formatBytes, formatCount, formatMs, formatPercent, formatRatio, ratioGrade } from '../bench/format.js';
import { byClients, saturationPoints } from '../bench/groups.js';
import { boundExceeded, ratio } from '../bench/models.js';
import type { BenchResult, StrategyResult } from '../bench/runner.js';
import { table } from '../cli/output.js';

type Cell = (s: StrategyResult) => string;

/**
 * The terminal table: one column per strategy, each measured figure followed by a "model" row with
 * the analytic expectation and the measured/expected ratio.
 */
export function renderText(result: BenchResult, color: ChalkInstance): string {
  const { config } = result;
  const lines: string[] = [];
  const dim = color.dim;
  lines.push(
    color.bold('hookctl bench polling-vs-push') +
      dim(
        `  ${config.events} events at ${config.rate}/s (Poisson, seed ${config.seed}), ${config.payloadSize} B each; short-poll every ${formatMs(config.intervalMs)}, long-poll timeout ${formatMs(config.longPollTimeoutMs)}` +
          (config.latencyMs > 0 ? `, +${formatMs(config.latencyMs)} simulated one-way delay per hop` : ''),
      ),
  );
  if (result.loopback) {
    lines.push(
      dim(
        `loopback round trip (undici, warm connection, this run): ${formatMs(result.loopback.p50)} p50 back to back, ${formatMs(result.loopback.idleP50)} p50 after ${formatMs(result.loopback.idleGapMs)} idle gaps like the events' — the floor under any delivery`,
      ),
    );
  }
  lines.push(dim(`clock: ${result.clock.source}; processes agree within ${formatMs(Math.abs(result.clock.maxOffsetMs))} (±${formatMs(result.clock.uncertaintyMs)})`));
  const { machine } = result;
  const busy = Math.max(machine.loadBefore, machine.loadAfter) > machine.cpus * 0.75;
  lines.push((busy ? color.yellow : dim)(`machine: ${machine.cpus} CPUs, load average ${machine.loadBefore.toFixed(2)} before, ${machine.loadAfter.toFixed(2)} after${busy ? ' — other work was running; latencies and CPU include the contention' : ''}`));

  const modelCell = (measured: number | null | undefined, expected: number | null | undefined, format: (value: number) => string) => {
    if (expected === null || expected === undefined) return dim('–');
    const r = ratio(measured, expected);
    const grade = ratioGrade(r);
    const paint = grade === 'good' ? color.green : grade === 'near' ? color.yellow : grade === 'off' ? color.red : (text: string) => text;
    return `${dim(format(expected))} ${paint(formatRatio(r))}`;
  };
  const emptyRatio = (s: StrategyResult) => (s.requests > 0 ? s.emptyResponses / s.requests : 0);

  for (const group of byClients(result.strategies)) {
    const S = group.strategies;
    const best = (value: (s: StrategyResult) => number | null | undefined) => {
      const values = S.map(value).filter((v): v is number => typeof v === 'number');
      return values.length > 1 ? Math.min(...values) : undefined;
    };
    const highlight = (value: (s: StrategyResult) => number | null | undefined, text: (s: StrategyResult) => string): Cell => {
      return (s) => {
        const top = best(value);
        return top !== undefined && value(s) === top ? color.green(text(s)) : text(s);
      };
    };
    const rows: Array<[string, Cell]> = [
      ['delivered', (s) => {
        const text = `${formatCount(s.delivered)}/${formatCount(s.expectedDeliveries)}`;
        if (s.interrupted) return color.yellow(`${text} (interrupted)`);
        return s.lost === 0 && s.duplicates === 0 ? color.green(`${text} ✓`) : color.red(`${text} ✗`);
      }],
      ['lost / duplicated', (s) => (s.lost + s.duplicates === 0 ? `0 / 0${s.pending > 0 ? dim(` (${s.pending} pending)`) : ''}` : color.red(`${s.lost} / ${s.duplicates}`))],
      ['latency mean', highlight((s) => s.latencyMs?.mean, (s) => formatMs(s.latencyMs?.mean))],
      ['  model', (s) => modelCell(s.latencyMs?.mean, s.expected.latencyMs.mean, formatMs)],
      ['latency p50', highlight((s) => s.latencyMs?.p50, (s) => formatMs(s.latencyMs?.p50))],
      ['  model', (s) => modelCell(s.latencyMs?.p50, s.expected.latencyMs.p50, formatMs)],
      ['latency p90', (s) => formatMs(s.latencyMs?.p90)],
      ['latency p99', highlight((s) => s.latencyMs?.p99, (s) => formatMs(s.latencyMs?.p99))],
      ['  model', (s) => modelCell(s.latencyMs?.p99, s.expected.latencyMs.p99, formatMs)],
      ['latency max', (s) => formatMs(s.latencyMs?.max)],
      ['  model (bound)', (s) => {
        const bound = s.expected.latencyMs.max;
        if (bound === null) return dim('–');
        return boundExceeded(s.latencyMs?.max, bound) ? color.red(`≤ ${formatMs(bound)} exceeded`) : dim(`≤ ${formatMs(bound)}`);
      }],
      ['requests', highlight((s) => s.requests, (s) => formatCount(s.requests))],
      ['  model', (s) => modelCell(s.requests, s.expected.requests, formatCount)],
      ['requests/s', (s) => formatCount(s.requestsPerSecond)],
      ['empty responses', (s) => `${formatCount(s.emptyResponses)} (${formatPercent(emptyRatio(s))})`],
      ['  model', (s) => dim(formatPercent(s.expected.emptyRatio))],
      ['bytes on the wire', highlight((s) => s.bytes, (s) => formatBytes(s.bytes))],
      ['server CPU', highlight((s) => s.serverCpuMs, (s) => `${formatMs(s.serverCpuMs)} (${s.serverCpuPercent.toFixed(1)}% of a core)`)],
      ['server event loop busy', (s) => (s.serverEventLoopUtilization >= 0.9 ? color.red : (t: string) => t)(formatPercent(s.serverEventLoopUtilization, 0))],
      ['client CPU', (s) => formatMs(s.clientCpuMs)],
      ['max open connections', (s) => formatCount(s.maxOpenConnections)],
      ['max held requests', (s) => formatCount(s.maxInFlight)],
      ['duration', (s) => formatMs(s.durationMs)],
    ];
    const body = rows.map(([label, cell]) => [label.startsWith('  ') ? dim(label) : label, ...S.map(cell)]);
    lines.push('');
    lines.push(color.bold(`${group.clients} client${group.clients === 1 ? '' : 's'} per strategy`));
    lines.push(table([[dim('strategy'), ...S.map((s) => color.bold.cyan(s.name))], ...body], { indent: '  ' }));
    for (const s of S) {
      for (const note of s.saturation) lines.push(`  ${color.yellow('!')} ${s.name}: ${note}`);
      const exceeded = boundExceeded(s.latencyMs?.max, s.expected.latencyMs.max);
      if (exceeded) lines.push(`  ${color.yellow('!')} ${s.name}: ${exceeded}`);
      if (s.interrupted) lines.push(`  ${color.yellow('!')} ${s.name}: interrupted; partial numbers`);
    }
  }

  const groups = byClients(result.strategies);
  if (groups.length > 1) {
    lines.push('');
    lines.push(color.bold('how server cost grows with clients') + dim('  (requests/s · server CPU · max open connections · p50 latency)'));
    const names = config.strategies.filter((name) => result.strategies.some((s) => s.name === name));
    const rows = groups.map((group) => [
      String(group.clients),
      ...names.map((name) => {
        const s = group.strategies.find((entry) => entry.name === name);
        if (!s) return dim('–');
        const text = `${formatCount(s.requestsPerSecond)}/s · ${formatMs(s.serverCpuMs)} · ${formatCount(s.maxOpenConnections)} conn · ${formatMs(s.latencyMs?.p50)}`;
        return s.saturation.length > 0 ? color.yellow(`${text} !`) : text;
      }),
    ]);
    lines.push(table([[dim('clients'), ...names.map((name) => color.bold.cyan(name))], ...rows], { indent: '  ' }));
    lines.push('');
    lines.push(color.bold('where each strategy saturates on this machine'));
    for (const point of saturationPoints(result)) {
      lines.push(
        point.clients === null
          ? `  ${point.name}: kept up at every client count tried (up to ${point.tested})`
          : `  ${point.name}: from ${point.clients} clients: ${point.note}`,
      );
    }
  }
  return lines.join('\n');
}
