import type { Output, Spinner } from './output.js';

/** What the bar shows at one moment: how far along (0..1) and a line of detail after the bar. */
export interface ProgressSnapshot {
  fraction: number;
  text: string;
}

export interface ProgressBar {
  /** Prints a note on stderr above the bar, which stays. */
  note(text: string): void;
  /** Clears the line for good; idempotent. */
  stop(): void;
}

const WIDTH = 24;
const REDRAW_MS = 100;

function bar(fraction: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * WIDTH);
  return '█'.repeat(filled) + '░'.repeat(WIDTH - filled);
}

/**
 * The one progress bar (send --count, bench): on stderr, only when a person watches it, redrawn
 * ten times a second from `snapshot` (so a fast producer never pays for drawing). Drawn by the
 * spinner, so it shares the spinner's terminal handling (Ctrl-C stays Ctrl-C). Without a
 * terminal there is no bar: notes are plain lines and stop() does nothing.
 */
export async function showProgress(output: Output, snapshot: () => ProgressSnapshot): Promise<ProgressBar> {
  if (!output.interactive) return { note: (text) => output.note(text), stop() {} };
  const draw = () => {
    const now = snapshot();
    return `${output.errColor.cyan(bar(now.fraction))} ${now.text}`;
  };
  const spinner: Spinner = await output.spinner(draw());
  const timer = setInterval(() => (spinner.text = draw()), REDRAW_MS);
  let stopped = false;
  return {
    note(text) {
      if (stopped) return output.note(text);
      spinner.clear();
      output.note(text);
      spinner.render();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      spinner.stop();
    },
  };
}
