/**
 * The verifying listener as a library: `startListener(options)` -> `{ url, close() }`. The CLI's
 * `listen` command renders what it reports; nothing here knows about the terminal.
 */
export { startListener } from './server.js';
export { DEFAULTS as LISTEN_DEFAULTS } from './defaults.js';
export type { Subscriber } from './observe.js';
export type { Sink } from './store.js';
export type { Ledger } from './claim.js';
export type { Delivery, FaultOptions, ForwardOptions, ForwardResult, ListenerHandle, ListenOptions, ListenStats, ListenSummary, OutboxReport, QueuedForward, QueueOptions } from './types.js';
