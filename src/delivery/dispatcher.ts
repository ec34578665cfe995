import { Agent, type Dispatcher } from 'undici';

/**
 * A keep-alive undici Agent: one pool per origin, at most `connections` sockets each. Reusing
 * connections is what lets load mode approach the receiver's own limit.
 */
export function createDispatcher(options: { connections?: number } = {}): Dispatcher {
  return new Agent({
    ...(options.connections !== undefined ? { connections: options.connections } : {}),
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
    // Connecting is part of the per-attempt timeout; this only bounds a stuck handshake.
    connect: { timeout: 30_000 },
  });
}
