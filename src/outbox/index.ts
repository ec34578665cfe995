/**
 * The outbox: `listen --ack-first` with a capture folder keeps every acknowledged forward's state
 * on disk, so a restarted listener resumes each on its schedule and a forward that gives up is a
 * dead letter, listed and requeued by `hookctl queue … <capture folder>`. No server to install;
 * the Redis queue (src/queue) is the engine for many listeners and workers.
 */
export { ENTRY_ID, OUTBOX_FILE, parseOutbox } from './entry.js';
export type { DeadReason, OutboxChange, OutboxEntry, OutboxTotals, ParsedOutbox } from './entry.js';
export { OutboxLog } from './log.js';
export type { OutboxLoad } from './log.js';
export { findRecords } from './records.js';
export { REQUEUE_FILE, requestRequeue, takeRequests, waitingRequests } from './requeue.js';
export type { RequeueRequest, TakenRequests } from './requeue.js';
export { OutboxBackend } from './backend.js';
