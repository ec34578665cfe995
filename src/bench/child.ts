import type { ChildMessage, ParentMessage } from './protocol.js';

/**
 * The child side of the IPC channel. Children run in their own process group (worker.ts), and
 * ignore SIGINT besides: a Ctrl-C meant for the runner must not take away the partial numbers it
 * is about to ask for. When the runner goes away (channel closed), the child has nothing left to
 * do and leaves, also when that happened before this handler was installed.
 */
export function childChannel(handle: (message: ParentMessage) => void | Promise<void>, cleanup: () => void): (message: ChildMessage) => void {
  const send = (message: ChildMessage) => {
    if (process.connected) process.send!(message);
  };
  process.on('SIGINT', () => {});
  const leave = () => {
    cleanup();
    process.exit(0);
  };
  process.on('disconnect', leave);
  if (!process.connected) leave();
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
