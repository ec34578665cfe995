/**
 * The seeded event stream: Poisson arrivals (exponential gaps) and fixed-size payloads, so every
 * strategy, and every rerun with the same --seed, sees the same events at the same offsets.
 */

/** mulberry32: tiny, fast, good enough for arrival times; the same seed gives the same stream. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Offsets (ms from the start) at which each event is due: cumulative exponential gaps of mean 1/rate. */
export function arrivalOffsets(events: number, rate: number, seed: number): number[] {
  const random = seededRandom(seed);
  const offsets: number[] = [];
  let at = 0;
  for (let i = 0; i < events; i++) {
    at += (-Math.log(1 - random()) / rate) * 1000;
    offsets.push(at);
  }
  return offsets;
}

export function eventId(seed: number, seq: number): string {
  return `msg_bench${seed.toString(36)}_${seq.toString(36).padStart(6, '0')}`;
}

export const EVENT_TYPE = 'bench.tick';

/**
 * The event as JSON text. `created` is stamped when the provider creates it; padding brings the
 * whole object to `payloadSize` bytes so bytes-on-the-wire reflect the chosen size.
 */
export function eventJson(seed: number, seq: number, created: number, payloadSize: number): string {
  const head = `{"seq":${seq},"id":"${eventId(seed, seq)}","type":"${EVENT_TYPE}","created":${created},"data":{"pad":"`;
  const tail = '"}}';
  const pad = Math.max(0, payloadSize - head.length - tail.length);
  return head + 'x'.repeat(pad) + tail;
}

export interface BenchEvent {
  seq: number;
  id: string;
  created: number;
}
