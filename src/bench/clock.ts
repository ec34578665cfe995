/**
 * The one clock every bench process stamps with: wall-clock origin of the process plus the monotonic
 * high-resolution timer since then, in milliseconds. Processes on one machine agree on it to a few
 * microseconds (the runner measures the offset over IPC and reports it), and within a process it
 * never jumps with NTP adjustments the way Date.now() can.
 */
export const CLOCK_DESCRIPTION = 'performance.timeOrigin + performance.now() (ms, monotonic within each process, shared wall-clock origin across processes)';

export function now(): number {
  return performance.timeOrigin + performance.now();
}
