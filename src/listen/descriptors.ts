import { readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';

/** The soft limit on open files for this process (Linux), or undefined where it cannot be read. */
function openFilesLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((text) => text.startsWith('Max open files'));
    const soft = line ? Number(line.split(/\s{2,}/)[1]) : Number.NaN;
    return Number.isFinite(soft) ? soft : undefined;
  } catch {
    return undefined;
  }
}

function openFiles(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return 0;
  }
}

/**
 * Warns once the server's connections come close to the process's file-descriptor limit. Past it
 * the kernel refuses new connections and libuv resets them without telling Node: deliveries would be
 * lost with no word. Counting connections is exact and costs nothing per request; the files the
 * process already holds are counted once, at start.
 */
export function watchDescriptors(server: Server, warn: (message: string) => void): void {
  const limit = openFilesLimit();
  if (limit === undefined || !Number.isFinite(limit)) return;
  // Files, pipes and the listening socket already open, plus a margin for captures and forwards.
  const reserved = openFiles() + 16;
  const high = Math.max(1, Math.floor((limit - reserved) * 0.9));
  let connections = 0;
  let warned = false;
  server.on('connection', (socket) => {
    connections++;
    socket.once('close', () => {
      connections--;
      if (connections < high * 0.8) warned = false;
    });
    if (!warned && connections >= high) {
      warned = true;
      warn(`${connections} connections are open and this process may hold only ${limit} files (ulimit -n): once none are left, new connections are dropped without an answer; raise the limit before starting hookctl (e.g. ulimit -n 65536)`);
    }
  });
}
