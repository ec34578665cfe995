/**
 * The verifying listener as a library: `startListener(options)` -> `{ url, close() }`. The CLI's
 * `listen` command renders what it reports; nothing here knows about the terminal.
 */
export { startListener, DEFAULTS as LISTEN_DEFAULTS } from './server.js';
export type { Delivery, FaultOptions, ForwardOptions, ForwardResult, ListenerHandle, ListenOptions, ListenStats, ListenSummary, QueuedForward } from './types.js';
