import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ProcessCost, WireStats } from './protocol.js';

/**
 * Counts what crosses a server's sockets (request and response bytes, headers included) and the
 * most connections open at once, over a window that starts at reset(), so warm-up traffic is left out.
 * A connection counts as open from its first request: one a client opens and never uses (a
 * reconnect racing the end of the run) holds nothing at the server.
 */
export class WireMeter {
  private readonly sockets = new Set<Socket>();
  /** The open sockets that have carried a request. */
  private readonly used = new Set<Socket>();
  private closedBytes = 0;
  private baseline = 0;
  private maxOpen = 0;
  private opened = 0;

  /** Sockets in use when the window started, with their byte counts then. */
  private atReset = new Map<Socket, number>();
  /** Of those, the ones that closed during the window without carrying a byte (warm-up leftovers). */
  private idleLeftovers = 0;

  constructor(server: Server) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      this.opened++;
      socket.once('close', () => {
        this.sockets.delete(socket);
        this.used.delete(socket);
        this.closedBytes += socket.bytesRead + socket.bytesWritten;
        const before = this.atReset.get(socket);
        if (before !== undefined && socket.bytesRead + socket.bytesWritten === before) this.idleLeftovers++;
      });
    });
    server.on('request', (request: IncomingMessage) => {
      const socket = request.socket;
      if (this.used.has(socket) || !this.sockets.has(socket)) return;
      this.used.add(socket);
      this.maxOpen = Math.max(this.maxOpen, this.used.size);
    });
  }

  private total(): number {
    let bytes = this.closedBytes;
    for (const socket of this.sockets) bytes += socket.bytesRead + socket.bytesWritten;
    return bytes;
  }

  reset(): void {
    this.baseline = this.total();
    this.maxOpen = this.used.size;
    this.opened = 0;
    this.atReset = new Map([...this.used].map((socket) => [socket, socket.bytesRead + socket.bytesWritten]));
    this.idleLeftovers = 0;
  }

  stats(): WireStats {
    // A warm-up connection (the loopback probe's) may still be closing when the window opens: one
    // that closes without carrying a byte of the window's traffic was never part of it.
    const maxOpen = Math.max(this.maxOpen - this.idleLeftovers, this.used.size);
    return { bytes: this.total() - this.baseline, maxOpenConnections: maxOpen, connectionsOpened: this.opened };
  }

  destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }
}

/** CPU time and event-loop utilisation of this process since reset(). */
export class CostMeter {
  private cpu = process.cpuUsage();
  private elu = performance.eventLoopUtilization();

  reset(): void {
    this.cpu = process.cpuUsage();
    this.elu = performance.eventLoopUtilization();
  }

  stats(): ProcessCost {
    const cpu = process.cpuUsage(this.cpu);
    const elu = performance.eventLoopUtilization(this.elu);
    return { cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, elu: elu.utilization };
  }
}
