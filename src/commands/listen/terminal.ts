import type { Output } from '../../cli/output.js';
import type { Subscriber } from '../../listen/observe.js';
import type { AppAnswer } from '../../delivery/app-refusal.js';
import type { Delivery, QueuedForward } from '../../listen/types.js';
import { formatBytes } from '../../text/bytes.js';
import { printable, printableBlock } from '../../text/printable.js';
import { displayUrl } from '../../text/url.js';
import { clock } from './text.js';
import { appAnswerLines } from '../app-answer.js';

const MAX_VERBOSE_BODY = 16 * 1024;

type Paint = Pick<Output['color'], 'dim' | 'green' | 'red' | 'yellow' | 'cyan'>;
const same = (text: string) => text;
/** No colour: the line is built without a call into chalk per part (this runs per delivery). */
const NO_PAINT: Paint = { dim: same, green: same, red: same, yellow: same, cyan: same } as unknown as Paint;

/** A line per delivery for people (and with --verbose its headers and body); queued forwards as they end. */
export class TerminalRenderer implements Subscriber {
  readonly needsHeaders: boolean;
  private readonly c: Paint;

  constructor(
    private readonly output: Output,
    private readonly verbose: boolean,
    /** Several routes: each forward line names its target. */
    private readonly routed = false,
  ) {
    this.needsHeaders = verbose;
    this.c = output.color.level > 0 ? output.color : NO_PAINT;
  }

  delivery(delivery: Delivery): void {
    const { output, c } = this;
    let check: string;
    if (delivery.verified === true) check = c.green(`✓ ${delivery.scheme}`);
    else if (delivery.verified === false) check = c.red(`✗ ${delivery.reason}${delivery.scheme ? ` [${delivery.scheme}]` : ''}`);
    else if (delivery.reason) check = c.red(`✗ ${delivery.reason}`);
    else check = c.dim(`· unverified${delivery.scheme ? ` ${delivery.scheme}` : ''}`);
    let line = `${c.dim(clock(delivery.receivedAt))}  ${delivery.method} ${printable(delivery.path, 60)}  ${c.cyan(printable(delivery.eventType ?? '-', 40))}  ${printable(delivery.eventId ?? '-', 36)}  ${check}`;
    if (delivery.duplicate) line += `  ${c.yellow('duplicate')}`;
    if (delivery.via) line += `  ${c.dim(`via ${delivery.via}`)}`;
    line += `  ${c.dim(formatBytes(delivery.bytes))}  ${this.status(delivery.status)}`;
    // Fan-out in line: one line per route below, as --ack-first shows them.
    const fanOut = delivery.forwards !== undefined && delivery.forwards.length > 1 ? delivery.forwards : undefined;
    if (delivery.forward && !fanOut) line += `  → app ${delivery.forward.status === null ? c.red(delivery.forward.error ?? 'failed') : this.status(delivery.forward.status)} ${c.dim(`${delivery.forward.ms}ms`)}`;
    else if (delivery.forwardQueued) line += `  ${c.dim('→ queued')}`;
    if (delivery.note && !delivery.forward) line += `  ${c.dim(`(${delivery.note})`)}`;
    const v = delivery.verification;
    if (v && !v.verified) {
      line += `\n    ${c.dim(v.message)}`;
      if (v.diagnosis) line += `\n    ${c.yellow('likely cause:')} ${v.diagnosis}`;
    }
    // The request first, then what the app made of it: each block says what it is.
    if (this.verbose) line += verboseDetail(output, delivery);
    if (fanOut) {
      for (const forward of fanOut) {
        const what = forward.status === null ? c.red(`→ app ${forward.error ?? 'failed'}`) : forward.status < 300 ? c.green(`→ app ${forward.status}`) : c.red(`→ app ${forward.status}`);
        line += `\n  ${c.dim('↳')} ${printable(delivery.eventId ?? delivery.id, 36)}  ${what}${forward.target ? ` ${c.dim(`(${printable(displayUrl(forward.target), 60)})`)}` : ''}  ${c.dim(`${forward.ms}ms`)}${forward.app ? this.appSide(forward) : ''}`;
      }
    } else if (delivery.forward?.app) line += this.appSide(delivery.forward);
    output.line(line);
  }

  /** The app's answer to a forward it refused, under the forward's line. */
  private appSide(answer: { app?: AppAnswer; hint?: string }): string {
    return appAnswerLines(this.c, answer, this.verbose);
  }

  forward(forward: QueuedForward): void {
    // Forwards the listener stopped before are kept in the outbox: the summary counts them.
    if (forward.kept) return;
    const { c } = this;
    const what = forward.delivered ? c.green(`→ app ${forward.status}`) : c.red(`→ app gave up: ${forward.status ?? forward.error}${forward.dead ? ' (dead letter, kept in the outbox)' : ''}`);
    const route = this.routed && forward.target ? ` ${c.dim(`(${printable(displayUrl(forward.target), 60)})`)}` : '';
    this.output.line(`  ${c.dim('↳')} ${printable(forward.eventId ?? forward.id, 36)}  ${what}${route}  ${c.dim(`${forward.attempts} attempt${forward.attempts === 1 ? '' : 's'}, ${forward.ms}ms`)}${this.appSide(forward)}`);
  }

  private status(status: number | null): string {
    const { c } = this;
    if (status === null) return c.red('reset');
    if (status < 300) return c.green(String(status));
    if (status < 500) return c.yellow(String(status));
    return c.red(String(status));
  }
}

function verboseDetail(output: Output, delivery: Delivery): string {
  const c = output.color;
  let text = `\n    ${c.bold('request headers')}`;
  for (const [name, value] of Object.entries(delivery.headers)) text += `\n      ${c.dim(`${printable(name)}:`)} ${printable(value)}`;
  return `${text}\n    ${c.bold(`request body (${formatBytes(delivery.body.length)})`)}\n${prettyBody(delivery.body)
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n')}`;
}

function prettyBody(body: Buffer): string {
  if (body.length === 0) return '(empty body)';
  const shown = body.subarray(0, MAX_VERBOSE_BODY);
  const more = body.length > MAX_VERBOSE_BODY ? `\n… ${body.length - MAX_VERBOSE_BODY} more bytes` : '';
  const text = shown.toString('utf8');
  if (text.includes('\ufffd')) return `(${body.length} bytes of binary: ${shown.subarray(0, 64).toString('hex')}${body.length > 64 ? '…' : ''})`;
  if (more === '') {
    try {
      return printableBlock(JSON.stringify(JSON.parse(text), null, 2));
    } catch {
      // not JSON: shown as text
    }
  }
  return printableBlock(text) + more;
}
