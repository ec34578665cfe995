/** How a bench result is grouped for every rendering: the terminal table, the verdict, the HTML report. */
import type { BenchResult, StrategyResult } from './runner.js';

/** Per strategy, the smallest client count at which the machine, not the strategy, set the numbers. */
export function saturationPoints(result: BenchResult): Array<{ name: string; clients: number | null; tested: number; note: string | null }> {
  const names = result.config.strategies.filter((name) => result.strategies.some((s) => s.name === name));
  return names.map((name) => {
    const runs = result.strategies.filter((s) => s.name === name);
    const first = runs.find((s) => s.saturation.length > 0);
    return { name, clients: first?.clients ?? null, tested: Math.max(...runs.map((s) => s.clients)), note: first?.saturation[0] ?? null };
  });
}

/** Groups results by client count, in run order. */
export function byClients(results: StrategyResult[]): Array<{ clients: number; strategies: StrategyResult[] }> {
  const groups = new Map<number, StrategyResult[]>();
  for (const result of results) groups.set(result.clients, [...(groups.get(result.clients) ?? []), result]);
  return [...groups].map(([clients, strategies]) => ({ clients, strategies }));
}
