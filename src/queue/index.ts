/**
 * The queue core: Redis Streams for many listeners and many workers. Knows nothing of the
 * terminal; `hookctl worker`, `hookctl queue …` and `listen --queue` render what it reports.
 * Importing this loads no Redis client: connecting does (`await import('redis')`).
 */
export { DEFAULT_GROUP, DEFAULT_STREAM, displayAddress, isRedisUrl, parseQueueAddress } from './address.js';
export type { AddressOverrides, QueueAddress } from './address.js';
export { classifyRedisError, connectRedis, QueueFullError, QueueUnavailableError } from './connection.js';
export type { ConnectOptions, ConnectionState, RedisConnection } from './connection.js';
export { DEAD_FIELD, decodeDeadLetter, listDeadLetters, requeueDeadLetters } from './dead-letters.js';
export type { DeadLetter, DeadReason } from './dead-letters.js';
export { decodeEntry, deliveryFields, FIELD } from './entry.js';
export type { QueueJob } from './entry.js';
export { queueKeys } from './keys.js';
export type { QueueKeys } from './keys.js';
export { ClaimInProgressError, DEFAULT_CLAIM_LEASE_MS, DEFAULT_DEDUPE_WINDOW_MS, RedisIntake } from './intake.js';
export type { IntakeResult } from './intake.js';
export { openRedisQueue } from './open.js';
export type { RedisQueue } from './open.js';
export { readQueueRecords, readStreamRecords } from './reader.js';
export type { QueueReadOptions } from './reader.js';
export { RedisQueueBackend } from './status.js';
export type { QueueBackend, QueueStatus, ScheduledRetry, WorkerStatus } from './status.js';
export { DEFAULT_RETAIN_MS, trimStream } from './trim.js';
export { DEFAULT_CLAIM_IDLE_MS, DEFAULT_CONCURRENCY, QueueWorker } from './worker.js';
export type { AttemptEvent, ResultEvent, WorkerEvent, WorkerOptions, WorkerSummary } from './worker.js';
