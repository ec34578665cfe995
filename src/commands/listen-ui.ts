/**
 * `hookctl listen --ui`: the inspector for this listener on its own (loopback) port, showing the
 * listener's journal so far and then every delivery as it is answered. The listen command imports
 * this only with the flag; this imports the inspector.
 */
import { join, resolve } from 'node:path';
import { JOURNAL_FILE } from '../capture/index.js';
import type { CommandContext } from '../cli/context.js';
import { DEFAULTS } from '../listen/defaults.js';
import type { Subscriber } from '../listen/observe.js';
import type { ListenerHandle, ListenOptions } from '../listen/types.js';
import { prepareLive } from '../inspector/index.js';
import { renderAction, uiPlaceFrom, warnIfExposed } from './inspector-ui.js';

export interface ListenUi {
  /** Goes into the listener's subscribers before it starts, so no delivery is missed. */
  readonly subscriber: Subscriber;
  /** Serves the page once the listener is up. If the page cannot be served, the listener is stopped too. */
  start(listener: ListenerHandle): Promise<RunningUi>;
}

export interface RunningUi {
  /** The page's URL, with its access token. */
  readonly url: string;
  /** Prints the URL next to the listener's, and the warning when the page is reachable from the network. */
  announce(): void;
  /** Stops serving; idempotent. */
  close(): Promise<void>;
}

export async function listenUi({ options, command, output }: Pick<CommandContext, 'options' | 'command' | 'output'>, listen: ListenOptions): Promise<ListenUi> {
  const place = uiPlaceFrom(options, command);
  // The journal the listener appends to (the inspector reads what it held before this run).
  const journal = listen.captureDir !== undefined && !listen.captureFiles ? join(resolve(listen.captureDir), JOURNAL_FILE) : null;
  const prepared = await prepareLive(journal);
  const secrets = listen.secrets ?? [];
  return {
    subscriber: prepared.subscriber,
    async start(listener) {
      let inspector;
      try {
        inspector = await prepared.start({
          ...place,
          listenerUrl: listener.url,
          settings: {
            secrets,
            scheme: listen.scheme ?? DEFAULTS.scheme,
            schemeOptions: listen.schemeOptions ?? {},
            toleranceSeconds: listen.toleranceSeconds ?? DEFAULTS.toleranceSeconds,
            ...(listen.publicUrl ? { publicUrl: listen.publicUrl } : {}),
          },
          defaultTarget: listen.forward?.url ?? null,
          defaultTargetKeepsPath: listen.forward?.keepPath ?? false,
          onAction: (event) => renderAction(output, event),
        });
      } catch (error) {
        await listener.close();
        throw error;
      }
      const running = inspector;
      return {
        url: running.url,
        announce() {
          output.line(`${output.color.bold('inspector on')} ${running.url}`);
          warnIfExposed(output, place.host, secrets.length > 0);
        },
        close: () => running.close(),
      };
    },
  };
}
