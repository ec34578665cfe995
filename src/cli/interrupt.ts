import { EXIT } from '../errors.js';

export interface Interrupt {
  /** Aborted on the first Ctrl-C (or SIGTERM): stop starting work, finish or cancel, report. */
  signal: AbortSignal;
  dispose(): void;
}

/**
 * The contract's Ctrl-C for long-running commands: the first one asks the command to stop cleanly
 * (it drains or cancels, then prints what was done); a second one ends the process at once, with
 * exit status 130. That forced exit is the one place besides bin/hookctl.js that ends the process:
 * by definition the command is not going to return in time.
 */
export function onInterrupt(onFirst?: () => void): Interrupt {
  const controller = new AbortController();
  const handler = () => {
    if (!controller.signal.aborted) {
      onFirst?.();
      controller.abort();
      return;
    }
    dispose();
    process.exit(EXIT.interrupted);
  };
  const dispose = () => {
    process.removeListener('SIGINT', handler);
    process.removeListener('SIGTERM', handler);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return { signal: controller.signal, dispose };
}
