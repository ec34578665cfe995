/**
 * Every key of one queue is named after its stream, so two queues on one Redis (two streams) never
 * share state, and `redis-cli --scan --pattern 'hookctl:deliveries*'` shows all of one queue.
 * (Redis Cluster would need them in one hash slot: name the stream with a hash tag, e.g. `{hooks}`.)
 */
import { createHash } from 'node:crypto';

export interface QueueKeys {
  /** The stream: one entry per delivery to process (and per retry that came due). */
  stream: string;
  /** Sorted set of retries waiting for their time; score = when due (Unix ms). */
  retries: string;
  /** Stream of dead letters: forwards that exhausted their schedule, or entries that could not be read. */
  dead: string;
  /** Hash of running totals: delivered, retried, dead, malformed. */
  totals: string;
  /** Dedupe ledger entry for a delivery's idempotency key (`SET NX` with the dedupe window). */
  seen(key: string): string;
  /** Count of forwards delivered in one second (expires after two minutes): the delivery rate. */
  deliveredIn(unixSecond: number): string;
}

/** Event ids come from senders: a very long one is hashed so the key stays small. */
const LONGEST_RAW_KEY = 200;

export function queueKeys(stream: string): QueueKeys {
  return {
    stream,
    retries: `${stream}:retries`,
    dead: `${stream}:dead`,
    totals: `${stream}:totals`,
    seen: (key) => `${stream}:seen:${key.length > LONGEST_RAW_KEY ? `sha256:${createHash('sha256').update(key).digest('hex')}` : key}`,
    deliveredIn: (second) => `${stream}:delivered:${second}`,
  };
}
