import { formatBytes, formatCount, formatMs, formatPercent, formatRatio, ratioGrade } from './format.js';
import { boundExceeded, ratio } from './models.js';
import { byClients, saturationPoints } from './groups.js';
import type { BenchResult, StrategyResult } from './runner.js';
import { escapeXml, lineChart, type Series } from './svg.js';
import { verdict } from './verdict.js';

export const STRATEGY_COLORS: Record<string, string> = {
  'short-poll': '#d9534f',
  'long-poll': '#e69a28',
  push: '#2b7bb9',
  sse: '#4a9d4a',
};

const CSS = `
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1100px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; }
.meta { color: #555; font-size: 13px; } .verdict { background: #f4f7fb; border-left: 4px solid #2b7bb9; padding: 10px 14px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; } th, td { padding: 3px 10px; text-align: right; border-bottom: 1px solid #eee; }
th:first-child, td:first-child { text-align: left; } td.model { color: #777; } .good { color: #2a7a2a; } .near { color: #a66d00; } .off { color: #b52b27; }
.note { color: #a66d00; } svg.chart { display: block; margin: 12px 0; max-width: 100%; height: auto; }
`;

function cdfChart(group: { clients: number; strategies: StrategyResult[] }): string {
  const series: Series[] = group.strategies
    .filter((s) => s.cdf.length > 0)
    .map((s) => ({
      name: s.name,
      color: STRATEGY_COLORS[s.name] ?? '#555',
      // A log axis cannot show 0 ms; a microsecond is below anything loopback can do.
      points: s.cdf.map(([ms, fraction]) => [Math.max(ms, 0.001), fraction] as [number, number]),
    }));
  return lineChart({
    title: `Delivery latency CDF, ${group.clients} client${group.clients === 1 ? '' : 's'} per strategy`,
    xLabel: 'latency (ms, log scale): event created → consumer has parsed it',
    yLabel: 'fraction of deliveries',
    series,
    xLog: true,
    yMin: 0,
    yMax: 1,
    yFormat: (value) => `${Math.round(value * 100)}%`,
  });
}

function sweepChart(result: BenchResult, title: string, yLabel: string, value: (s: StrategyResult) => number): string {
  const names = result.config.strategies.filter((name) => result.strategies.some((s) => s.name === name));
  const series: Series[] = names.map((name) => ({
    name,
    color: STRATEGY_COLORS[name] ?? '#555',
    markers: true,
    points: result.strategies.filter((s) => s.name === name).map((s) => [s.clients, value(s)] as [number, number]),
  }));
  return lineChart({ title, xLabel: 'clients per strategy (log scale)', yLabel, series, xLog: true, yLog: true });
}

function modelCell(measured: number | null | undefined, expected: number | null | undefined, format: (value: number) => string): string {
  if (expected === null || expected === undefined) return '<td class="model">–</td>';
  const r = ratio(measured, expected);
  return `<td class="model">${escapeXml(format(expected))} <span class="${ratioGrade(r)}">${escapeXml(formatRatio(r))}</span></td>`;
}

function boundCell(s: StrategyResult): string {
  const bound = s.expected.latencyMs.max;
  if (bound === null) return '<td class="model">–</td>';
  const exceeded = boundExceeded(s.latencyMs?.max, bound) !== null;
  return `<td class="model">${escapeXml(`≤ ${formatMs(bound)}`)}${exceeded ? ' <span class="off">exceeded</span>' : ''}</td>`;
}

function resultTable(strategies: StrategyResult[]): string {
  const row = (label: string, cells: string[]) => `<tr><td>${escapeXml(label)}</td>${cells.join('')}</tr>`;
  const td = (text: string) => `<td>${escapeXml(text)}</td>`;
  const each = (f: (s: StrategyResult) => string) => strategies.map(f);
  const empty = (s: StrategyResult) => (s.requests > 0 ? s.emptyResponses / s.requests : 0);
  return [
    '<table>',
    `<tr><th>strategy</th>${strategies.map((s) => `<th style="color:${STRATEGY_COLORS[s.name]}">${escapeXml(s.name)}</th>`).join('')}</tr>`,
    row('delivered', each((s) => td(`${formatCount(s.delivered)} / ${formatCount(s.expectedDeliveries)}`))),
    row('lost / duplicated', each((s) => td(`${s.lost} / ${s.duplicates}`))),
    row('latency mean', each((s) => td(formatMs(s.latencyMs?.mean)))),
    row('model', each((s) => modelCell(s.latencyMs?.mean, s.expected.latencyMs.mean, formatMs))),
    row('latency p50', each((s) => td(formatMs(s.latencyMs?.p50)))),
    row('model', each((s) => modelCell(s.latencyMs?.p50, s.expected.latencyMs.p50, formatMs))),
    row('latency p90', each((s) => td(formatMs(s.latencyMs?.p90)))),
    row('latency p99', each((s) => td(formatMs(s.latencyMs?.p99)))),
    row('model', each((s) => modelCell(s.latencyMs?.p99, s.expected.latencyMs.p99, formatMs))),
    row('latency max', each((s) => td(formatMs(s.latencyMs?.max)))),
    row('model (bound)', each((s) => boundCell(s))),
    row('requests', each((s) => td(formatCount(s.requests)))),
    row('model', each((s) => modelCell(s.requests, s.expected.requests, formatCount))),
    row('requests/s', each((s) => td(formatCount(s.requestsPerSecond)))),
    row('empty responses', each((s) => td(`${formatCount(s.emptyResponses)} (${formatPercent(empty(s))})`))),
    row('model', each((s) => `<td class="model">${escapeXml(formatPercent(s.expected.emptyRatio))}</td>`)),
    row('bytes on the wire', each((s) => td(formatBytes(s.bytes)))),
    row('server CPU', each((s) => td(`${formatMs(s.serverCpuMs)} (${s.serverCpuPercent.toFixed(1)}%)`))),
    row('server event loop busy', each((s) => td(formatPercent(s.serverEventLoopUtilization, 0)))),
    row('client CPU', each((s) => td(formatMs(s.clientCpuMs)))),
    row('max open connections', each((s) => td(formatCount(s.maxOpenConnections)))),
    row('max held requests', each((s) => td(formatCount(s.maxInFlight)))),
    '</table>',
  ].join('\n');
}

/** A self-contained HTML page: tables, the verdict, a latency CDF per client count, and sweep charts. */
export function renderHtml(result: BenchResult, generatedAt = new Date()): string {
  const { config } = result;
  const groups = byClients(result.strategies);
  const parts: string[] = [];
  parts.push('<!doctype html>', '<html lang="en"><head><meta charset="utf-8">', '<title>hookctl bench polling-vs-push</title>', `<style>${CSS}</style></head><body>`);
  parts.push('<h1>Polling vs push, measured</h1>');
  parts.push(
    `<p class="meta">${escapeXml(
      `${config.events} events at ${config.rate}/s (Poisson, seed ${config.seed}), ${config.payloadSize} B each; short-poll interval ${formatMs(config.intervalMs)}; long-poll timeout ${formatMs(config.longPollTimeoutMs)}; simulated one-way delay ${config.latencyMs > 0 ? formatMs(config.latencyMs) : "none"}; clients ${config.clients.join(', ')}. Generated ${generatedAt.toISOString()}${result.interrupted ? ' — INTERRUPTED, partial results' : ''}.`,
    )}</p>`,
  );
  parts.push(`<p class="meta">Clock: ${escapeXml(result.clock.source)}; processes agreed within ${escapeXml(formatMs(Math.abs(result.clock.maxOffsetMs)))} (±${escapeXml(formatMs(result.clock.uncertaintyMs))}).</p>`);
  parts.push(`<p class="meta">Machine: ${result.machine.cpus} CPUs, load average ${result.machine.loadBefore.toFixed(2)} before the run and ${result.machine.loadAfter.toFixed(2)} after.</p>`);
  if (result.loopback) {
    parts.push(
      `<p class="meta">Loopback round trip over a warm undici connection, measured in this run: ${escapeXml(formatMs(result.loopback.p50))} p50 back to back, ${escapeXml(formatMs(result.loopback.idleP50))} p50 after ${escapeXml(formatMs(result.loopback.idleGapMs))} idle gaps like those between events. Models use d = simulated delay + the idle figure.</p>`,
    );
  }
  parts.push(`<p class="verdict">${escapeXml(verdict(result))}</p>`);
  for (const group of groups) {
    parts.push(`<h2>${group.clients} client${group.clients === 1 ? '' : 's'} per strategy</h2>`);
    parts.push(resultTable(group.strategies));
    for (const s of group.strategies) {
      const exceeded = boundExceeded(s.latencyMs?.max, s.expected.latencyMs.max);
      for (const note of [...s.saturation, ...(exceeded ? [exceeded] : [])]) parts.push(`<p class="note">${escapeXml(`${s.name}: ${note}`)}</p>`);
    }
    parts.push(cdfChart(group));
  }
  if (groups.length > 1) {
    parts.push('<h2>How server cost grows with clients</h2>');
    parts.push('<ul>');
    for (const point of saturationPoints(result)) {
      parts.push(
        `<li><b>${escapeXml(point.name)}</b>: ${escapeXml(point.clients === null ? `kept up at every client count tried (up to ${point.tested})` : `saturates from ${point.clients} clients: ${point.note}`)}</li>`,
      );
    }
    parts.push('</ul>');
    parts.push(sweepChart(result, 'Server requests per second vs clients', 'requests/s (log)', (s) => s.requestsPerSecond));
    parts.push(sweepChart(result, 'Server CPU time vs clients', 'server CPU ms (log)', (s) => s.serverCpuMs));
    parts.push(sweepChart(result, 'Connections open at once vs clients', 'max open connections (log)', (s) => s.maxOpenConnections));
    parts.push(sweepChart(result, 'Median latency vs clients', 'p50 latency ms (log)', (s) => s.latencyMs?.p50 ?? NaN));
  }
  parts.push('<h2>Models</h2><ul>');
  for (const name of config.strategies) {
    const s = result.strategies.find((entry) => entry.name === name);
    if (s) parts.push(`<li><b>${escapeXml(name)}</b>: ${escapeXml(s.expected.formula)}</li>`);
  }
  parts.push('</ul><p class="meta">λ events/s, T poll interval, L long-poll timeout, N clients, W measured window, d one hop (simulated delay + loopback). See RFC 6202 §2.2 for long-polling latency.</p>');
  parts.push('</body></html>');
  return parts.join('\n');
}
