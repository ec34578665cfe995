/** What the listener does when an option is not given. */
export const DEFAULTS = {
  port: 8787,
  host: '127.0.0.1',
  scheme: 'auto',
  toleranceSeconds: 300,
  maxBodyBytes: 1024 * 1024,
  headerTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
  drainTimeoutMs: 10_000,
} as const;
