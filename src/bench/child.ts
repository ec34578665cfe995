import type { ChildMessage, ParentMessage } from './protocol.js';

/**
 * The child side of the IPC channel. Children ignore SIGINT: a Ctrl-C in the terminal reaches the
 * whole process group, and the runner must still be able to ask them for their partial numbers.
 * When the runner goes away (channel closed), the child has nothing left to do and leaves.
 */
export function childChannel(handle: (message: ParentMessage) => void | Promise<void>, cleanup: () => void): (message: ChildMessage) => void {
  const send = (message: ChildMessage) => {
    if (process.connected) process.send!(message);
  };
  process.on('SIGINT', () => {});
  process.on('disconnect', () => {
    cleanup();
    process.exit(0);
  });
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'clock') {
      send({ type: 'clock', t0: message.t0, t1: performance.timeOrigin + performance.now() });
      return;
    }
    Promise.resolve()
      .then(() => handle(message))
      .catch((error: unknown) => send({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
  });
  return send;
}
