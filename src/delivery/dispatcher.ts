import { createRequire } from 'node:module';
import type { Agent as UndiciAgent, Dispatcher } from 'undici';

const require = createRequire(import.meta.url);

let AgentClass: typeof UndiciAgent | undefined;

/**
 * undici's Agent without undici's index. The index loads every feature (fetch, WebSocket, mocks,
 * caches, proxies): about 60ms of a one-shot `send`, against 20ms for the agent and the request
 * API. The request API is mixed into Dispatcher.prototype exactly as the index does it, so the
 * dispatcher behaves the same either way; if undici's layout ever changes, the public entry is used.
 */
function loadAgent(): typeof UndiciAgent {
  if (AgentClass) return AgentClass;
  try {
    const Agent = require('undici/lib/dispatcher/agent.js') as typeof UndiciAgent;
    const DispatcherBase = require('undici/lib/dispatcher/dispatcher.js') as { prototype: Record<string, unknown> };
    const api = require('undici/lib/api/index.js') as Record<string, unknown>;
    if (typeof Agent !== 'function' || typeof api.request !== 'function' || !(Agent.prototype instanceof (DispatcherBase as unknown as new () => unknown))) throw new Error('unexpected undici layout');
    if (typeof DispatcherBase.prototype.request !== 'function') Object.assign(DispatcherBase.prototype, api);
    AgentClass = Agent;
  } catch {
    AgentClass = (require('undici') as typeof import('undici')).Agent;
  }
  return AgentClass;
}

/**
 * A keep-alive undici Agent: one pool per origin, at most `connections` sockets each. Reusing
 * connections is what lets load mode approach the receiver's own limit.
 */
export function createDispatcher(options: { connections?: number } = {}): Dispatcher {
  const Agent = loadAgent();
  return new Agent({
    ...(options.connections !== undefined ? { connections: options.connections } : {}),
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
    // Connecting is part of the per-attempt timeout; this only bounds a stuck handshake.
    connect: { timeout: 30_000 },
  });
}
