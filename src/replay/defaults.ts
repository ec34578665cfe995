/**
 * Replay usually runs in CI against the user's own app: a failing fixture should fail the job in
 * seconds, not wait out a provider's 5-minute backoff. --retry-schedule restores any schedule.
 */
export const REPLAY_RETRY_SCHEDULE = '0,1s,5s';
