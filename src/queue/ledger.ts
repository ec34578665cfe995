/**
 * The dedupe ledger in Redis, shared by every listener on the queue: no event id is accepted as
 * new twice across them within the dedupe window (default 7 days).
 *
 * A claim is `SET <stream>:seen:<key> pending:<token> NX PX <lease> GET`: one round trip that
 * either takes the key or returns who holds it. `commit` turns it into `done:<where>` for the
 * window; `release` deletes it if it is still ours. A claim left by a listener that died
 * (`pending:`, never committed) expires after the lease, so the sender's next retry is accepted.
 * A delivery that finds another listener's claim in progress waits for its outcome, like the
 * local ledger (src/capture/ledger.ts) whose shape this shares.
 */
import { randomBytes } from 'node:crypto';
import type { Claim } from '../capture/ledger.js';
import { QueueUnavailableError, type RedisConnection } from './connection.js';
import type { QueueKeys } from './keys.js';
import { RELEASE_CLAIM, runScript } from './scripts.js';

export const DEFAULT_DEDUPE_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
export const DEFAULT_CLAIM_LEASE_MS = 10_000;

const DONE = 'done:';
const DUPLICATE = { duplicate: true } as const;

/** Another listener has held this event id's claim for the whole lease: answer "try again" (503). */
export class ClaimInProgressError extends QueueUnavailableError {
  constructor(key: string, leaseMs: number) {
    super(`event ${JSON.stringify(key.slice(0, 80))} is being processed by another listener (still pending after ${leaseMs} ms)`);
    this.name = 'ClaimInProgressError';
  }
}

export interface RedisLedgerOptions {
  /** How long an accepted event id stays a duplicate, ms (default 7 days). */
  windowMs?: number;
  /** How long an uncommitted claim holds the id, ms (default 10 s); also the longest a duplicate waits for it. */
  leaseMs?: number;
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class RedisLedger {
  readonly windowMs: number;
  readonly leaseMs: number;

  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: QueueKeys,
    options: RedisLedgerOptions = {},
  ) {
    this.windowMs = options.windowMs ?? DEFAULT_DEDUPE_WINDOW_MS;
    this.leaseMs = options.leaseMs ?? DEFAULT_CLAIM_LEASE_MS;
  }

  /**
   * `{duplicate: true}` when the key was accepted before (within the window); otherwise the claim
   * to commit once the delivery is stored, or release if it was not. Rejects with
   * QueueUnavailableError (Redis unreachable; a ClaimInProgressError when another listener's claim
   * outlived the lease) and QueueFullError: the listener answers 503 for those.
   */
  async claim(key: string): Promise<Claim> {
    const redisKey = this.keys.seen(key);
    const token = `pending:${randomBytes(9).toString('base64url')}`;
    const lease = String(this.leaseMs);
    const giveUpAt = Date.now() + this.leaseMs;
    let pause = 5;
    for (;;) {
      const holder = await this.connection.command<string | null>(['SET', redisKey, token, 'NX', 'PX', lease, 'GET']);
      if (holder === null) return this.claimed(redisKey, token);
      if (holder.startsWith(DONE)) return DUPLICATE;
      // Another listener is storing the same event right now: its outcome decides.
      if (Date.now() >= giveUpAt) throw new ClaimInProgressError(key, this.leaseMs);
      await wait(pause);
      pause = Math.min(pause * 2, 100);
    }
  }

  private claimed(redisKey: string, token: string): Claim {
    let settled = false;
    return {
      duplicate: false,
      commit: (where?: string) => {
        if (settled) return undefined;
        settled = true;
        return this.connection.command(['SET', redisKey, `${DONE}${where ?? ''}`, 'PX', String(this.windowMs)]).then(() => undefined);
      },
      release: () => {
        if (settled) return;
        settled = true;
        // Best effort: if Redis is away, the lease expires by itself.
        runScript(this.connection, RELEASE_CLAIM, [redisKey], [token]).catch(() => {});
      },
    };
  }
}
