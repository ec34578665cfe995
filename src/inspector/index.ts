/**
 * The web inspector as a library: a page over saved captures (`hookctl inspect`) or a running
 * listener (`listen --ui`). Options in, a handle with an idempotent close() out. Loaded only by
 * the commands that serve it.
 */
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
  /** The listener's journal: what it holds already is shown first (not followed: new ones come through the feed). */
  history?: string | null;
  /** Bytes of bodies kept in memory (default 64 MiB); older bodies are read back from the capture. */
  bodyBudget?: number;
}

/** Serves the page for a running listener: its journal so far, then every delivery fed to it. */
export async function inspectLive(options: LiveOptions): Promise<LiveInspector> {
  const store = new DeliveryStore();
  try {
    if (options.history) {
      const index = new JournalIndex(options.history);
      try {
        await index.scan();
        store.append((base) => new JournalSegment(index, options.history!, base));
      } catch {
        // No journal yet (a first run): nothing to show from before.
        await index.close();
      }
    }
    const live = store.append(
      (base) =>
        new LiveSegment({
          base,
          listenerUrl: options.listenerUrl,
          ...(options.bodyBudget !== undefined ? { bodyBudget: options.bodyBudget } : {}),
          onGrow: () => store.grew(),
          onUpdate: (seq) => store.updated(seq),
        }),
    );
    const server = await startInspector({ ...options, store, mode: 'listen', subject: options.listenerUrl });
    return { ...withCleanup(server, store), feed: live };
  } catch (error) {
    await store.close();
    throw error;
  }
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
