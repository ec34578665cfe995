import { Chalk, type ChalkInstance } from 'chalk';
import { BatchedWriter } from './batched-writer.js';

type Stream = NodeJS.WriteStream;

/**
 * Colour for one stream: off when NO_COLOR is set to anything (chalk alone ignores it), forced by
 * FORCE_COLOR, otherwise on for a TTY only.
 */
export function colorLevel(stream: Stream, env: NodeJS.ProcessEnv = process.env): 0 | 1 | 2 | 3 {
  if (env.NO_COLOR) return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    const level = Number(force);
    return level >= 1 && level <= 3 ? (level as 1 | 2 | 3) : 1;
  }
  if (!stream.isTTY) return 0;
  return stream.hasColors?.(16_777_216) ? 3 : stream.hasColors?.(256) ? 2 : 1;
}

export interface OutputOptions {
  json?: boolean;
  stdout?: Stream;
  stderr?: Stream;
  env?: NodeJS.ProcessEnv;
}

/**
 * The one place that decides how things are shown. Data goes to stdout (NDJSON records under
 * --json, human lines otherwise); notes, warnings, spinners and progress go to stderr, always.
 */
export class Output {
  readonly json: boolean;
  readonly stdout: Stream;
  readonly stderr: Stream;
  /** Colours for human data on stdout. */
  readonly color: ChalkInstance;
  /** Colours for notes on stderr. */
  readonly errColor: ChalkInstance;
  /** Spinners and progress bars are shown only when a person watches stderr. */
  readonly interactive: boolean;

  constructor(options: OutputOptions = {}) {
    this.json = options.json ?? false;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    const env = options.env ?? process.env;
    this.color = new Chalk({ level: this.json ? 0 : colorLevel(this.stdout, env) });
    this.errColor = new Chalk({ level: colorLevel(this.stderr, env) });
    // A terminal that reports no width (some CI pseudo-terminals) would make ora redraw forever.
    this.interactive = Boolean(this.stderr.isTTY) && !env.CI && (this.stderr.columns ?? 0) > 0;
  }

  private batched: BatchedWriter | undefined;
  /** After streamStdout(): what is written now must not be dropped (the summary). */
  private keepEverything = false;

  /** A machine record: one NDJSON line on stdout, only under --json. */
  record(value: { type: string } & Record<string, unknown>): void {
    if (this.json) this.out(`${JSON.stringify(value)}\n`);
  }

  /** A record already serialized as one JSON object (hot paths build their own); only under --json. */
  recordText(json: string): void {
    if (this.json) this.out(`${json}\n`);
  }

  /** A line of human data on stdout, only without --json. */
  line(text = ''): void {
    if (!this.json) this.out(`${text}\n`);
  }

  /**
   * For commands that print a line per event while they serve (listen, worker): stdout is written
   * in batches (gathered for up to 4 ms), off the event loop, and a reader that cannot keep up
   * loses lines (said on stderr) rather than stalling the work. `flush()` before returning.
   */
  streamStdout(): void {
    this.batched ??= new BatchedWriter(this.stdout, {
      onDropped: (lines) => {
        this.warn(`${lines} line${lines === 1 ? '' : 's'} of output not shown: ${this.json ? 'stdout' : 'the terminal'} could not keep up (the summary still counts everything; --quiet skips the lines)`);
        if (this.json) this.out(`${JSON.stringify({ type: 'dropped', records: lines })}\n`);
      },
      // The reader went away (`| head`): the same as a failed write to the stream itself.
      onError: (error) => this.stdout.emit('error', error),
    });
  }

  /** The stream's last words (a summary) follow: they are written even if the reader lags. */
  endStream(): void {
    this.keepEverything = true;
  }

  /** Resolves once everything written to stdout so far is out. */
  flush(): Promise<void> {
    return this.batched?.flushed() ?? Promise.resolve();
  }

  private out(text: string): void {
    if (this.batched) this.batched.write(text, this.keepEverything);
    else this.stdout.write(text);
  }

  /** A note for people, on stderr, in both modes. */
  note(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  warn(text: string): void {
    this.stderr.write(`${this.errColor.yellow('warning:')} ${text}\n`);
  }

  ok(text: string): string {
    return this.color.green(`✓ ${text}`);
  }

  bad(text: string): string {
    return this.color.red(`✗ ${text}`);
  }

  /**
   * An ora spinner on stderr when a person is watching, otherwise a silent stand-in with the same
   * methods. ora is loaded only here, so commands that never spin never load it.
   *
   * ora's stdin discarder is off: it puts the terminal in raw mode to hide typed keys, and then
   * nothing reads the Ctrl-C byte (the terminal no longer turns it into SIGINT), so the promised
   * "Ctrl-C to stop" did nothing. The terminal stays as the user has it; Ctrl-C, Ctrl-Z and
   * Ctrl-\ keep working.
   */
  async spinner(text: string): Promise<Spinner> {
    if (!this.interactive) return silentSpinner();
    const { default: ora } = await import('ora');
    return ora({ text, stream: this.stderr, color: 'cyan', discardStdin: false }).start();
  }
}

export interface Spinner {
  text: string;
  succeed(text?: string): unknown;
  fail(text?: string): unknown;
  stop(): unknown;
  /** Starts it again after stop(), with new text. */
  start(text?: string): unknown;
  /** Takes the line away for a moment (to print a note above it); render() brings it back. */
  clear(): unknown;
  render(): unknown;
}

function silentSpinner(): Spinner {
  return { text: '', succeed() {}, fail() {}, stop() {}, start() {}, clear() {}, render() {} };
}

/** Renders rows as an aligned table (first row is the header). Colour codes are not counted. */
export function table(rows: string[][], { indent = '' } = {}): string {
  const visible = (cell: string) => cell.replace(/\x1b\[[0-9;]*m/g, '').length;
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(cell))));
  return rows
    .map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visible(cell)))).join('  '))
    .join('\n');
}

export { displayUrl } from '../text/url.js';
