import { formatFactor, formatMs, formatPercent } from './format.js';
import { byClients } from './groups.js';
import type { BenchResult, StrategyResult } from './runner.js';

const LABEL: Record<string, string> = { 'short-poll': 'short polling', 'long-poll': 'long polling', push: 'push', sse: 'server-sent events' };

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function perClient(s: StrategyResult): number {
  return s.requests / s.clients;
}

/**
 * One plain-language paragraph drawn from the numbers of this run: who was fastest and by how
 * much, what it cost in requests, empty answers and CPU, how that grew with clients, where the
 * machine ran out, and what that suggests. Every figure in it comes from the result.
 */
export function verdict(result: BenchResult): string {
  const groups = byClients(result.strategies);
  if (groups.length === 0) return 'No strategy finished a run, so there is nothing to compare.';
  const first = groups[0]!;
  const S = first.strategies.filter((s) => s.latencyMs !== null);
  const find = (name: string, among: StrategyResult[] = first.strategies) => among.find((s) => s.name === name);
  const sentences: string[] = [];
  const { config } = result;
  const who = `${first.clients} client${first.clients === 1 ? '' : 's'}`;

  if (S.length > 0) {
    const ordered = [...S].sort((a, b) => a.latencyMs!.p50 - b.latencyMs!.p50);
    const fastest = ordered[0]!;
    const slowest = ordered.at(-1)!;
    const floor = result.loopback;
    const parts = ordered.map((s) => `${LABEL[s.name]} in ${formatMs(s.latencyMs!.p50)}`);
    let sentence = `At ${config.rate} events/s with ${who}, the median event reached its consumer by ${list(parts)}`;
    if (floor) sentence += ` (one loopback round trip here takes ${formatMs(floor.idleP50)} after an idle gap, ${formatMs(floor.p50)} back to back)`;
    sentence += '.';
    sentences.push(sentence);
    const shortPoll = find('short-poll');
    if (shortPoll?.latencyMs && fastest !== shortPoll) {
      const factor = shortPoll.latencyMs.mean / fastest.latencyMs!.mean;
      sentences.push(
        `Short polling every ${formatMs(config.intervalMs)} averaged ${formatMs(shortPoll.latencyMs.mean)} against a model of ${formatMs(shortPoll.expected.latencyMs.mean)} (half the interval plus one trip): ${formatFactor(factor)} slower than ${LABEL[fastest.name]}, and no faster network would change that, only a shorter interval.`,
      );
    } else if (slowest !== fastest) {
      sentences.push(`${LABEL[fastest.name]![0]!.toUpperCase()}${LABEL[fastest.name]!.slice(1)} was ${formatFactor(slowest.latencyMs!.p50 / fastest.latencyMs!.p50)} faster than ${LABEL[slowest.name]} at the median.`);
    }
    const longPoll = find('long-poll');
    const push = find('push');
    if (longPoll?.latencyMs && push?.latencyMs) {
      // Medians: one slow outlier on a busy machine should not flip the story.
      const gap = longPoll.latencyMs.p50 / push.latencyMs.p50;
      if (gap > 1.5) {
        sentences.push(
          `Long polling paid ${formatFactor(gap)} push's median latency, because events that arrive while a client is reconnecting wait for the next request${config.latencyMs > 0 ? ` (with ${formatMs(config.latencyMs)} each way, that gap is ${formatMs(2 * config.latencyMs)})` : ''}.`,
        );
      } else if (gap < 1 / 1.5) {
        const why =
          push.saturation.length > 0
            ? `push's sender fell behind at one request per event per subscriber, while a long-poll answer carries every event waiting`
            : `both are one trip, and push also signs and verifies every delivery (${formatMs(push.latencyMs.p50 - longPoll.latencyMs.p50)} more at the median)`;
        sentences.push(`Long polling was quicker than push here (median ${formatMs(longPoll.latencyMs.p50)} against ${formatMs(push.latencyMs.p50)}): ${why}.`);
      } else {
        sentences.push(
          `Long polling kept up with push on latency (median ${formatMs(longPoll.latencyMs.p50)} against ${formatMs(push.latencyMs.p50)}), but only by keeping ${longPoll.maxOpenConnections} connection${longPoll.maxOpenConnections === 1 ? '' : 's'} parked at the server and making a request for every answer.`,
        );
      }
    }
  }

  const costs = first.strategies.map((s) => {
    const empty = s.requests > 0 ? s.emptyResponses / s.requests : 0;
    const extra = s.name === 'short-poll' || s.name === 'long-poll' ? `, ${formatPercent(empty, 0)} of them empty` : '';
    return `${LABEL[s.name]} ${Math.round(perClient(s)).toLocaleString('en-US')} request${Math.round(perClient(s)) === 1 ? '' : 's'} per client${extra} and ${formatMs(s.serverCpuMs)} of server CPU`;
  });
  if (costs.length > 0) sentences.push(`For ${first.strategies[0]!.events} events it took ${list(costs)}.`);
  const shortPoll = find('short-poll');
  if (shortPoll) {
    const eventsPerPoll = (config.rate * config.intervalMs) / 1000;
    sentences.push(
      eventsPerPoll < 1
        ? `At this rate most polls find nothing (the model says ${formatPercent(shortPoll.expected.emptyRatio, 0)} empty), so polling cost is paid for silence.`
        : `At this rate every poll finds about ${eventsPerPoll.toFixed(eventsPerPoll < 10 ? 1 : 0)} events waiting, so short polling batches them${find('push') ? ' and makes fewer requests than push' : ''}; its price here is latency, not waste.`,
    );
  }

  if (groups.length > 1) {
    const last = groups.at(-1)!;
    const growth: string[] = [];
    for (const s of first.strategies) {
      const end = find(s.name, last.strategies);
      if (!end || s.serverCpuMs <= 0) continue;
      growth.push(`${LABEL[s.name]} ${formatFactor(end.requestsPerSecond / Math.max(s.requestsPerSecond, 1e-9))} in requests/s and ${formatFactor(end.serverCpuMs / s.serverCpuMs)} in CPU`);
    }
    if (growth.length > 0) sentences.push(`From ${first.clients} to ${last.clients} clients the server load grew: ${list(growth)}.`);
    const held = last.strategies.filter((s) => s.name === 'long-poll' || s.name === 'sse');
    if (held.length > 0) sentences.push(`${capitalize(list(held.map((s) => LABEL[s.name]!)))} held ${list(held.map((s) => String(s.maxOpenConnections)))} connections open at once at ${last.clients} clients.`);
  }

  const saturated = result.strategies.filter((s) => s.saturation.length > 0);
  if (saturated.length > 0) {
    const where = saturated.map((s) => `${LABEL[s.name]} at ${s.clients} client${s.clients === 1 ? '' : 's'} (${s.saturation[0]!.split(':')[0]})`);
    sentences.push(`This machine ran out first for ${list(where)}; figures there measure the machine as much as the strategy.`);
  }
  const lost = result.strategies.reduce((sum, s) => sum + s.lost, 0);
  const duplicated = result.strategies.reduce((sum, s) => sum + s.duplicates, 0);
  const pending = result.strategies.reduce((sum, s) => sum + s.pending, 0);
  sentences.push(
    lost + duplicated === 0
      ? `${pending > 0 ? 'Until the interruption, every' : 'Every'} event reached every client exactly once${pending > 0 ? ` (${pending} deliveries were still on their way when it stopped)` : ''}.`
      : `${lost} deliveries were lost and ${duplicated} duplicated; see the notes above.`,
  );

  sentences.push(recommendation(result, first.strategies));
  return sentences.join(' ');
}

/**
 * When one median latency beats another: the slower must be over 1.5× the faster *and* more than
 * 0.5 ms behind. Below that, a run on a shared machine (timers, scheduling, garbage collection)
 * can put either first, so the verdict calls them even and says so.
 */
export const LATENCY_MARGIN = { factor: 1.5, ms: 0.5 } as const;
const MARGIN_TEXT = `a difference counts here when the slower median is over ${LATENCY_MARGIN.factor}× the faster and more than ${LATENCY_MARGIN.ms} ms behind`;

export function clearlySlower(slowerMs: number, fasterMs: number): boolean {
  return slowerMs > fasterMs * LATENCY_MARGIN.factor && slowerMs - fasterMs > LATENCY_MARGIN.ms;
}

/** The closing advice, chosen by what was measured: speed first (beyond the margin), then requests, then whether push kept up. */
function recommendation(result: BenchResult, strategies: StrategyResult[]): string {
  const measured = strategies.filter((s) => s.latencyMs !== null);
  if (measured.length === 0) return 'Verdict: nothing was delivered, so there is nothing to recommend.';
  const fastest = [...measured].sort((a, b) => a.latencyMs!.p50 - b.latencyMs!.p50)[0]!;
  const push = measured.find((s) => s.name === 'push');
  const fewest = [...measured].sort((a, b) => a.requests - b.requests)[0]!;
  const rate = result.config.rate;
  if (!push) {
    return `Verdict: of those measured, ${LABEL[fastest.name]} delivered soonest (${formatMs(fastest.latencyMs!.p50)} at the median) and ${LABEL[fewest.name]} made the fewest requests (${fewest.requests.toLocaleString('en-US')}).`;
  }
  const pushMs = push.latencyMs!.p50;
  const fastestMs = fastest.latencyMs!.p50;
  if (push.saturation.length > 0 && fastest !== push) {
    return `Verdict: at ${push.clients} subscriber${push.clients === 1 ? '' : 's'} and ${rate} events/s, push has to make ${Math.round(rate * push.clients).toLocaleString('en-US')} requests a second; this sender managed ${Math.round(push.requestsPerSecond).toLocaleString('en-US')}, so ${LABEL[fastest.name]}, which batches waiting events into one answer, delivered sooner (${formatMs(fastestMs)} against ${formatMs(pushMs)} at the median). Push still costs nothing between events; at this fan-out it needs more sending capacity or batching.`;
  }
  const pushLeads = fastest === push && measured.every((s) => s === push || clearlySlower(s.latencyMs!.p50, pushMs));
  if (pushLeads) {
    if (push.requests <= fewest.requests) return `Verdict: push, since it was both the fastest (${formatMs(pushMs)} at the median; ${MARGIN_TEXT}) and the cheapest in requests here.`;
    return `Verdict: push for latency (${formatMs(pushMs)} at the median; ${MARGIN_TEXT}); ${LABEL[fewest.name]} made fewer requests here (${fewest.requests.toLocaleString('en-US')} against ${push.requests.toLocaleString('en-US')}) only because events outnumber its requests, and at the price of ${formatMs(fewest.latencyMs!.p50)} median delay.`;
  }
  if (clearlySlower(pushMs, fastestMs)) {
    return `Verdict: ${LABEL[fastest.name]} for latency here (${formatMs(fastestMs)} against push's ${formatMs(pushMs)} at the median; ${MARGIN_TEXT}); push makes ${push.requests.toLocaleString('en-US')} requests for this run and none between events.`;
  }
  const even = fastest === push ? measured.find((s) => s !== push && !clearlySlower(s.latencyMs!.p50, pushMs))! : fastest;
  return `Verdict: ${LABEL[even.name]} and push were even on latency (medians ${formatMs(even.latencyMs!.p50)} and ${formatMs(pushMs)}; ${MARGIN_TEXT}), so choose by cost: ${measured.map((s) => `${LABEL[s.name]} ${s.requests.toLocaleString('en-US')} requests`).join(', ')}.`;
}
