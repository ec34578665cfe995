/**
 * `hookctl listen --relay SUBSCRIBE_URL`: the relay subscriber feeding this listener, and what the
 * terminal says of it (connected, reconnecting, deliveries waiting; on stderr, so --json stays
 * NDJSON). The listen command imports this only with the flag.
 */
import type { Output } from '../cli/output.js';
import type { UserError } from '../errors.js';
import type { ListenerHandle } from '../listen/types.js';
import { RelaySubscriber, type ConnectedInfo, type ReconnectingInfo } from '../relay/subscriber.js';
import { ListenerHandOff } from '../relay/to-listener.js';
import { formatDuration } from '../text/duration.js';
import { displayUrl } from '../text/url.js';
import type { RelaySettings } from './listen/relay-options.js';

/**
 * How long the banner waits for the relay's first word. A relay that takes the connection and
 * says nothing (a proxy buffering the stream) is otherwise heard of only when the watchdog gives
 * up, two heartbeats later: half a minute of a blank terminal.
 */
const FIRST_WORD_WAIT_MS = 3_000;

export interface RunningRelay {
  /** Settles with the relay's refusal (wrong token, unknown channel) if it comes; never rejects. */
  readonly refused: Promise<UserError>;
  /** Prints what happened before the banner, then each change as it happens. */
  announce(): void;
  /** Stops reading; the entry in hand finishes and is settled with the relay. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the subscriber against a started listener and waits for the first word from the relay:
 * connected, refused (thrown: one line, exit 2, before the banner) or unreachable (kept trying).
 */
export async function startRelay(settings: RelaySettings, marker: string, listener: ListenerHandle, output: Output): Promise<RunningRelay> {
  const handOff = new ListenerHandOff(listener.url, marker);
  const ec = output.errColor;
  let announced = false;
  const early: Array<() => void> = [];
  const say = (show: () => void) => (announced ? show() : early.push(show));
  let refuse!: (error: UserError) => void;
  const refused = new Promise<UserError>((resolve) => (refuse = resolve));
  let firstWord!: () => void;
  const first = new Promise<void>((resolve) => (firstWord = resolve));
  let fatal: UserError | undefined;

  const connected = (info: ConnectedInfo) => {
    firstWord();
    const waiting = `${info.waiting} deliver${info.waiting === 1 ? 'y' : 'ies'} waiting`;
    say(() => output.note(`${ec.green(info.connections === 1 ? 'relay connected' : 'relay reconnected')} ${ec.dim(`(${info.transport}, as ${info.consumer}, heartbeat ${formatDuration(info.heartbeatMs)})`)}: ${waiting}`));
  };
  const reconnecting = (info: ReconnectingInfo) => {
    firstWord();
    say(() => output.note(ec.yellow(`relay: reconnecting in ${formatDuration(info.delayMs)} (attempt ${info.attempt}): ${info.reason}`)));
  };
  const subscriber = new RelaySubscriber({
    subscribeUrl: settings.subscribeUrl,
    token: settings.token,
    transport: settings.transport,
    ...(settings.group !== undefined ? { group: settings.group } : {}),
    ...(settings.name !== undefined ? { subscriber: settings.name } : {}),
    handle: (entry) => handOff.send(entry),
    on: {
      connected,
      reconnecting,
      error: (error, isFatal) => {
        if (isFatal) {
          fatal = error as UserError;
          firstWord();
          refuse(fatal);
        } else say(() => output.warn(`relay: ${error.message}`));
      },
    },
  });
  for (const warning of settings.warnings) say(() => output.warn(warning));
  subscriber.start();
  let waited: NodeJS.Timeout | undefined;
  const heard = await Promise.race([first.then(() => true), new Promise<false>((resolve) => (waited = setTimeout(resolve, FIRST_WORD_WAIT_MS, false)))]);
  clearTimeout(waited);
  if (!heard) say(() => output.note(ec.yellow(`relay: connecting: ${displayUrl(settings.subscribeUrl)} has not answered yet (behind a proxy? it must not buffer the event stream)`)));
  const close = async () => {
    await subscriber.close();
    handOff.close();
  };
  if (fatal) {
    await close();
    throw fatal;
  }
  return {
    refused,
    announce() {
      output.note(ec.dim(`relay ${displayUrl(settings.subscribeUrl)} (${settings.transport}${settings.group !== undefined ? `, group ${settings.group}` : ''}): each delivery is acknowledged to the relay once this listener settled it`));
      announced = true;
      for (const show of early.splice(0)) show();
    },
    close,
  };
}
