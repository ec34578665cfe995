/**
 * The web inspector as a library: a page over saved captures (`hookctl inspect`) or a running
 * listener (`listen --ui`). Options in, a handle with an idempotent close() out. Loaded only by
 * the commands that serve it.
 */
import { stat } from 'node:fs/promises';
import type { Subscriber } from '../listen/observe.js';
import type { Delivery, QueuedForward } from '../listen/types.js';
import { openCaptures, type OpenedCaptures } from './captures.js';
import { JournalIndex } from './journal-index.js';
import { JournalSegment } from './segments/journal.js';
import { LiveSegment, type InspectorFeed } from './segments/live.js';
import { startInspector, type InspectorHandle, type InspectorOptions } from './server.js';
import { DeliveryStore } from './store.js';

export { DEFAULT_UI_PORT, type ActionEvent, type InspectorHandle, type InspectorOptions } from './server.js';
export type { InspectorFeed } from './segments/live.js';
export type { OpenedCaptures } from './captures.js';
export { isLoopbackHost } from './hosts.js';
export type { VerificationSettings } from './verification.js';

type ServerOptions = Omit<InspectorOptions, 'store' | 'mode' | 'subject'>;

export interface CapturesInspector extends InspectorHandle {
  store: DeliveryStore;
  opened: OpenedCaptures;
}

/** Serves the page over journals, fixture files and folders; the last journal is followed. */
export async function inspectCaptures(paths: readonly string[], options: ServerOptions & { cwd?: string; follow?: boolean; subject?: string }): Promise<CapturesInspector> {
  const store = new DeliveryStore();
  let opened: OpenedCaptures | undefined;
  try {
    opened = await openCaptures(store, paths, { ...(options.cwd ? { cwd: options.cwd } : {}), follow: options.follow ?? true });
    const subject = options.subject ?? opened.files.join(', ');
    const server = await startInspector({ ...options, store, mode: 'inspect', subject });
    return { ...withCleanup(server, store, () => opened!.stop()), opened };
  } catch (error) {
    opened?.stop();
    await store.close();
    throw error;
  }
}

export interface LiveInspector extends InspectorHandle {
  store: DeliveryStore;
  /** Give it every delivery and queued-forward outcome the listener reports. */
  feed: InspectorFeed;
}

export interface LiveOptions extends ServerOptions {
  /** The listener's URL (what captures record as receivedAt). */
  listenerUrl: string;
  /** Bytes of bodies kept in memory (default 64 MiB); older bodies are read back from the capture. */
  bodyBudget?: number;
}

/**
 * The inspector of a listener, in two steps: `prepareLive()` before the listener starts (its
 * `subscriber` goes into `ListenOptions.subscribers`, so nothing is missed), `start()` once the
 * listener is up and its URL known. What arrives in between is kept and shown.
 */
export interface PreparedLive {
  readonly subscriber: Subscriber;
  start(options: LiveOptions): Promise<LiveInspector>;
}

/** Holds what the listener reports until the page's live segment exists; nothing after close. */
class FeedUntilStarted implements Subscriber {
  readonly needsHeaders = true;
  private target: InspectorFeed | undefined;
  private early: Array<{ delivery: Delivery } | { forward: QueuedForward }> | null = [];

  delivery(delivery: Delivery): void {
    if (this.target) this.target.delivery(delivery);
    else this.early?.push({ delivery });
  }

  forward(forward: QueuedForward): void {
    if (this.target) this.target.forward(forward);
    else this.early?.push({ forward });
  }

  connect(target: InspectorFeed): void {
    for (const item of this.early ?? []) 'delivery' in item ? target.delivery(item.delivery) : target.forward(item.forward);
    this.early = null;
    this.target = target;
  }

  disconnect(): void {
    this.early = null;
    this.target = undefined;
  }
}

/**
 * `history`: the listener's journal. Its size now is what is shown from before (the listener
 * appends after it, and those deliveries come through the subscriber).
 */
export async function prepareLive(history: string | null | undefined): Promise<PreparedLive> {
  const historyBytes = history ? await stat(history).then((info) => info.size, () => 0) : 0;
  const feed = new FeedUntilStarted();
  return {
    subscriber: feed,
    async start(options) {
      const store = new DeliveryStore();
      try {
        if (history && historyBytes > 0) {
          const index = new JournalIndex(history);
          try {
            await index.scan(historyBytes);
            store.append((base) => new JournalSegment(index, history, base));
          } catch {
            // Gone or unreadable since: nothing to show from before.
            await index.close();
          }
        }
        const live = store.append(
          (base) =>
            new LiveSegment({
              base,
              listenerUrl: options.listenerUrl,
              ...(options.bodyBudget !== undefined ? { bodyBudget: options.bodyBudget } : {}),
              ...(history ? { journal: { path: history, startBytes: historyBytes } } : {}),
              onGrow: () => store.grew(),
              onUpdate: (seq) => store.updated(seq),
            }),
        );
        const server = await startInspector({ ...options, store, mode: 'listen', subject: options.listenerUrl });
        feed.connect(live);
        return { ...withCleanup(server, store, () => feed.disconnect()), feed: live };
      } catch (error) {
        feed.disconnect();
        await store.close();
        throw error;
      }
    },
  };
}

/** Serves the page for a running listener: its journal so far, then every delivery fed to it. */
export async function inspectLive(options: LiveOptions & { history?: string | null }): Promise<LiveInspector> {
  return (await prepareLive(options.history)).start(options);
}

/** The server's handle, whose close() also stops following and closes the store's files. */
function withCleanup(server: InspectorHandle, store: DeliveryStore, stop?: () => void): InspectorHandle & { store: DeliveryStore } {
  let closing: Promise<void> | undefined;
  return {
    ...server,
    store,
    close() {
      closing ??= (async () => {
        stop?.();
        await server.close();
        await store.close();
      })();
      return closing;
    },
  };
}
