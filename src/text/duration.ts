/**
 * The one way a wait is written for people: "250ms", "4.2s", "30s", "5m", "1h 30m". Retry delays,
 * countdowns and Retry-After in send, replay and the listener all use it, so one tool never says
 * "in 5s" and "in 10000ms" for the same kind of thing.
 */
export function formatDuration(ms: number): string {
  if (ms < 999.5) return `${Math.max(0, Math.round(ms))}ms`;
  // Under ten seconds a tenth still means something to a countdown; rounding first keeps
  // 59.7 s from showing as "60s" and 9m 59.6s as "9m 60s".
  const tenths = Math.round(ms / 100) / 10;
  if (tenths < 10) return `${tenths}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) {
    const rest = seconds % 60;
    return rest ? `${Math.floor(seconds / 60)}m ${rest}s` : `${seconds / 60}m`;
  }
  const minutes = Math.round(seconds / 60);
  const rest = minutes % 60;
  return rest ? `${Math.floor(minutes / 60)}h ${rest}m` : `${minutes / 60}h`;
}
