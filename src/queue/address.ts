/**
 * The queue URL lives with the other command-line values (src/options/queue-url.ts), where the
 * records' sources can read it without depending on the queue; re-exported here for the queue.
 */
export * from '../options/queue-url.js';
