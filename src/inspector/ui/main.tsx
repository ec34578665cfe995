/**
 * The inspector page: header, filters, the live list and the detail of the selected delivery.
 * The server pages, filters and searches; this page keeps only the rows around the viewport.
 */
import { render, type ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { DeliveryDetail, DeliverySummary, InfoView, ListPage, ListQuery, StateFilter } from '../types.js';
import { EditDialog } from './actions.js';
import { getJson, hasToken, openEvents } from './api.js';
import { Detail } from './detail.js';
import { DiffDialog } from './diff.js';
import { count, visible } from './format.js';
import { DeliveryList } from './list.js';
import { PAGE, startEarly } from './early.js';

/**
 * Changes are fetched at most every REFRESH_MS; while more than BUSY_ROWS keep arriving between
 * two, once every BUSY_REFRESH_MS: nobody reads faster, and on a small machine the browser's work
 * comes off the listener's CPU.
 */
const REFRESH_MS = 200;
const BUSY_REFRESH_MS = 1000;
const BUSY_ROWS = 50;
/** Rows kept in the page; past that, those far from the screen are dropped (and asked for again if scrolled to). */
const KEPT_ROWS = 5000;

const STATES: Array<[StateFilter, string]> = [
  ['all', 'All'],
  ['verified', '✓ Verified'],
  ['failed', '✗ Failed'],
  ['duplicate', 'Duplicate'],
  ['fault', 'Injected fault'],
  ['unverified', 'Unverified'],
];

const EMPTY_QUERY: ListQuery = { state: 'all', scheme: null, type: null, path: null, q: null };

// A mark for `npm run bench:inspector`: when the app's script runs.
performance.mark('hookctl:start');

// The first page and the run's facts, asked for by the page's inline boot script (or now).
const early = window.hookctlEarly ?? startEarly();
/** The first page once it is here: the first render shows it, with no pass through "Loading". */
let firstPage: ListPage | undefined;
const firstPageHere = early?.page.then((page) => {
  firstPage = page;
});

function queryString(query: ListQuery): string {
  const params = new URLSearchParams();
  if (query.state !== 'all') params.set('state', query.state);
  for (const key of ['scheme', 'type', 'path', 'q'] as const) {
    const value = query[key];
    if (value) params.set(key, value);
  }
  return params.toString();
}

function isTyping(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return Boolean(element && (element.tagName === 'INPUT' || element.tagName === 'TEXTAREA' || element.tagName === 'SELECT' || element.isContentEditable));
}

/** A text field that tells its parent after a short pause, so typing does not fire a request per key. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

function Fatal({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <div class="fatal">
      <h1>{title}</h1>
      {children}
    </div>
  );
}

function App() {
  const [info, setInfo] = useState<InfoView | null>(null);
  const [fatal, setFatal] = useState<string | null>(hasToken() ? null : 'no-token');
  const [stateFilter, setStateFilter] = useState<StateFilter>('all');
  const [scheme, setScheme] = useState('');
  const [typeText, setTypeText] = useState('');
  const [pathText, setPathText] = useState('');
  const [search, setSearch] = useState('');
  const type = useDebounced(typeText, 250);
  const path = useDebounced(pathText, 250);
  const q = useDebounced(search, 250);
  const query: ListQuery = { state: stateFilter, scheme: scheme || null, type: type.trim() || null, path: path.trim() || null, q: q.trim() || null };
  const qs = queryString(query);

  // The first page, when it is here before the first render, is what the list starts with.
  const prefilled = useRef(firstPage !== undefined);
  const [total, setTotal] = useState(firstPage?.total ?? 0);
  const [all, setAll] = useState(firstPage?.all ?? 0);
  const [indexing, setIndexing] = useState<ListPage['indexing']>(firstPage?.indexing ?? null);
  const [, setVersion] = useState(0);
  const [loading, setLoading] = useState(firstPage === undefined);
  const [following, setFollowing] = useState(true);
  const [connected, setConnected] = useState(false);
  const [selected, setSelected] = useState(-1);
  const [selectedSeq, setSelectedSeq] = useState<number | null>(null);
  const [detailOpen, setDetailOpen] = useState(false);
  const [detail, setDetail] = useState<DeliveryDetail | null>(null);
  const [detailError, setDetailError] = useState<string | null>(null);
  const [compareSeq, setCompareSeq] = useState<number | null>(null);
  const [diff, setDiff] = useState<[number, number] | null>(null);
  const [editing, setEditing] = useState(false);

  const rows = useRef<Map<number, DeliverySummary>>(undefined as never);
  rows.current ??= new Map(firstPage?.rows.map((row, i) => [firstPage!.offset + i, row]));
  const inflight = useRef(new Set<number>());
  const generation = useRef(0);
  const range = useRef({ first: 0, last: 0 });
  const searchBox = useRef<HTMLInputElement>(null);
  const usedEarly = useRef(false);
  const latestQs = useRef(qs);
  latestQs.current = qs;
  // The key handler reads the latest state through a ref: two quick key presses must not both
  // start from the selection the page had before the first one rendered.
  const latest = useRef({ total, selected, detailOpen, diff, editing, following });
  latest.current = { ...latest.current, total, detailOpen, diff, editing, following };


  const fail = (error: unknown) => {
    // (The boot script's requests fail with its own copy of ApiError: the status is what counts.)
    if ((error as { status?: number } | null)?.status === 401) setFatal('no-token');
  };

  const accept = (page: ListPage, gen: number) => {
    if (gen !== generation.current) return;
    page.rows.forEach((row, i) => rows.current.set(page.offset + i, row));
    if (rows.current.size > KEPT_ROWS) {
      const { first, last } = range.current;
      for (const index of rows.current.keys()) if (index < first - PAGE || index >= last + PAGE) rows.current.delete(index);
    }
    setTotal(page.total);
    setAll(page.all);
    setIndexing(page.indexing);
    setVersion((v) => v + 1);
  };

  const fetchBlock = useCallback((block: number) => {
    const gen = generation.current;
    const key = block;
    if (inflight.current.has(key)) return;
    inflight.current.add(key);
    getJson<ListPage>(`/api/deliveries?${latestQs.current}&offset=${block * PAGE}&limit=${PAGE}`)
      .then((page) => accept(page, gen))
      .catch(fail)
      .finally(() => inflight.current.delete(key));
  }, []);

  const ensureRange = useCallback(
    (first: number, last: number) => {
      range.current = { first, last };
      for (let block = Math.floor(first / PAGE); block * PAGE < last; block++) {
        let missing = false;
        // (Only the rows of this block inside the range: a block the range starts in the middle of
        // is not fetched again for rows above the range.)
        for (let i = Math.max(first, block * PAGE); i < Math.min(last, (block + 1) * PAGE); i++) {
          if (!rows.current.has(i)) {
            missing = true;
            break;
          }
        }
        if (missing) fetchBlock(block);
      }
    },
    [fetchBlock],
  );

  // A new query starts over at the end of its list.
  useEffect(() => {
    if (fatal) return;
    if (prefilled.current) {
      // The unfiltered list's first page is on screen already.
      prefilled.current = false;
      usedEarly.current = true;
      return;
    }
    generation.current++;
    const gen = generation.current;
    rows.current = new Map();
    inflight.current.clear();
    setLoading(true);
    setFollowing(true);
    const first = qs === '' && early && !usedEarly.current ? early.page : getJson<ListPage>(`/api/deliveries?${qs}&offset=tail&limit=${PAGE}`);
    usedEarly.current = true;
    first
      .then((page) => {
        accept(page, gen);
        if (gen !== generation.current) return;
        setLoading(false);
        // Keep the selected delivery selected if it is in this list's last page.
        const index = page.rows.findIndex((row) => row.seq === selectedSeq);
        latest.current.selected = index >= 0 ? page.offset + index : -1;
        setSelected(latest.current.selected);
      })
      .catch(fail);
  }, [qs, fatal]);

  // Live: new deliveries extend the list; rows that changed are fetched again.
  useEffect(() => {
    if (fatal) return undefined;
    (early?.info ?? getJson<InfoView>('/api/info')).then(setInfo).catch(fail);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const changed = new Set<number>();
    /** Deliveries in all, as of the last refresh. */
    let seen = firstPage?.all ?? -1;
    let streaming = false;
    const refresh = () => {
      timer = undefined;
      const gen = generation.current;
      for (const [index, row] of rows.current) {
        if (changed.has(row.seq)) {
          rows.current.delete(index);
          fetchBlock(Math.floor(index / PAGE));
        }
      }
      changed.clear();
      // Following: the last page (every row the list draws at its end); else only the new count.
      const limit = latest.current.following ? PAGE : 1;
      getJson<ListPage>(`/api/deliveries?${latestQs.current}&offset=tail&limit=${limit}`)
        .then((page) => {
          seen = page.all;
          accept(page, gen);
        })
        .catch(fail);
    };
    return openEvents({
      connected: setConnected,
      change(event) {
        for (const seq of event.updated) changed.add(seq);
        setIndexing(event.indexing);
        if (timer) return;
        // A burst shows at once; a stream that keeps it up is shown once a second.
        const busy = seen >= 0 && event.total - seen > BUSY_ROWS;
        timer = setTimeout(refresh, busy && streaming ? BUSY_REFRESH_MS : REFRESH_MS);
        streaming = busy;
      },
    });
  }, [fatal]);

  // The detail follows the selection.
  useEffect(() => {
    if (!detailOpen || selectedSeq === null) return undefined;
    let current = true;
    setDetailError(null);
    getJson<DeliveryDetail>(`/api/deliveries/${selectedSeq}`)
      .then((value) => current && setDetail(value))
      .catch((error: Error) => {
        if (!current) return;
        fail(error);
        setDetail(null);
        setDetailError(error.message);
      });
    return () => {
      current = false;
    };
  }, [selectedSeq, detailOpen]);

  const select = useCallback((index: number, open = true) => {
    latest.current.selected = index;
    setSelected(index);
    const row = rows.current.get(index);
    if (row) setSelectedSeq(row.seq);
    if (open) setDetailOpen(true);
  }, []);

  // A row selected before it was loaded gets its seq once it arrives.
  const selectedRow = selected >= 0 ? rows.current.get(selected) : undefined;
  useEffect(() => {
    if (selectedRow && selectedRow.seq !== selectedSeq) setSelectedSeq(selectedRow.seq);
  }, [selectedRow?.seq]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const now = latest.current;
      if (event.key === 'Escape') {
        if (now.diff) setDiff(null);
        else if (now.editing) setEditing(false);
        else if (isTyping(event.target)) {
          // The browser empties a search box on Esc without an input event: the search must go too.
          if (event.target === searchBox.current) setSearch('');
          (event.target as HTMLElement).blur();
        }
        else setDetailOpen(false);
        return;
      }
      if (isTyping(event.target) || event.metaKey || event.ctrlKey || event.altKey || now.diff || now.editing) return;
      if (event.key === '/') {
        event.preventDefault();
        searchBox.current?.focus();
      } else if (event.key === 'j' || event.key === 'ArrowDown') {
        event.preventDefault();
        if (now.total > 0) select(Math.min(now.total - 1, now.selected + 1), now.detailOpen);
      } else if (event.key === 'k' || event.key === 'ArrowUp') {
        event.preventDefault();
        if (now.total > 0) select(Math.max(0, now.selected < 0 ? now.total - 1 : now.selected - 1), now.detailOpen);
      } else if (event.key === 'Enter') {
        if (now.selected >= 0) select(now.selected, true);
      } else if (event.key === 'End' || event.key === 'G') {
        setFollowing(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [select]);

  if (fatal === 'no-token') {
    return (
      <Fatal title="Open the inspector with its access link">
        <p>This page needs the link hookctl printed when it started (it ends in <code>#token=…</code>). The token keeps other programs and pages on this machine from reading your deliveries.</p>
      </Fatal>
    );
  }

  const filtered = qs !== '';
  const emptyText =
    all === 0 ? (
      info?.mode === 'listen' ? (
        <div class="empty">
          <p>Waiting for deliveries on {visible(info.subject)}</p>
          <p>
            Try <code>hookctl send {visible(info.subject)} --scheme github --event push</code>
          </p>
        </div>
      ) : (
        <div class="empty">
          <p>No deliveries in {visible(info?.subject ?? 'these files')}.</p>
        </div>
      )
    ) : (
      <div class="empty">
        <p>No deliveries match these filters.</p>
        <button
          class="btn"
          onClick={() => {
            setStateFilter('all');
            setScheme('');
            setTypeText('');
            setPathText('');
            setSearch('');
          }}
        >
          Clear filters
        </button>
      </div>
    );

  return (
    <div class="app">
      <header class="topbar">
        <div class="brand">
          <span class="logo" aria-hidden="true">
            ✓
          </span>
          hookctl inspector
        </div>
        <div class="subject mono" title={info ? visible(info.subject) : ''}>
          {info ? `${info.mode === 'listen' ? 'listening on ' : ''}${visible(info.subject)}` : ''}
        </div>
        <span class="hint">
          <kbd>/</kbd> search · <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> open · <kbd>Esc</kbd> close
        </span>
        {indexing ? (
          <span class="progress" data-testid="indexing">
            reading {Math.floor((indexing.done / Math.max(1, indexing.total)) * 100)}%
          </span>
        ) : null}
        <div class="counts num" data-testid="counts">
          {filtered ? (
            <span>
              <b>{count(total)}</b> of {count(all)} {all === 1 ? 'delivery' : 'deliveries'}
            </span>
          ) : (
            <span>
              <b>{count(all)}</b> {all === 1 ? 'delivery' : 'deliveries'}
            </span>
          )}
        </div>
        <span class={`live-dot ${connected ? 'on' : ''}`} title={connected ? 'new deliveries appear as they arrive' : 'reconnecting'}>
          {connected ? (info?.mode === 'listen' ? 'live' : 'watching') : 'offline'}
        </span>
      </header>
      <div class="filters" role="search">
        <div class="seg" role="group" aria-label="show">
          {STATES.map(([value, label]) => (
            <button key={value} aria-pressed={stateFilter === value} onClick={() => setStateFilter(value)}>
              {label}
            </button>
          ))}
        </div>
        <select class="field" aria-label="scheme" value={scheme} onChange={(event) => setScheme((event.target as HTMLSelectElement).value)}>
          <option value="">any scheme</option>
          {(info?.schemes ?? []).map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
          <option value="none">no scheme</option>
        </select>
        <input class="field small mono" aria-label="event type" title="a glob: invoice.*, {push,pull_request}.*" placeholder="event type" value={typeText} onInput={(event) => setTypeText((event.target as HTMLInputElement).value)} />
        <input class="field small mono" aria-label="path" placeholder="path" value={pathText} onInput={(event) => setPathText((event.target as HTMLInputElement).value)} />
        <input ref={searchBox} class="field search" type="search" aria-label="search headers and body" placeholder="Search headers and bodies" value={search} onInput={(event) => setSearch((event.target as HTMLInputElement).value)} />
      </div>
      <div class="main">
        {loading && total === 0 ? (
          <div class="list-pane">
            <p class="empty">Loading…</p>
          </div>
        ) : (
          <DeliveryList
            total={total}
            rowAt={(index) => rows.current.get(index)}
            selected={selected}
            compareSeq={compareSeq}
            following={following}
            onSelect={(index) => select(index, true)}
            onRange={ensureRange}
            onFollowingChange={setFollowing}
            empty={emptyText}
          />
        )}
        {detailOpen ? (
          <aside class="detail-pane" aria-label="delivery detail">
            {detail && info ? (
              <Detail
                key={detail.summary.seq}
                detail={detail}
                info={info}
                onClose={() => setDetailOpen(false)}
                compareSeq={compareSeq}
                onCompare={() => setCompareSeq(compareSeq === detail.summary.seq ? null : detail.summary.seq)}
                onDiff={() => compareSeq !== null && setDiff([compareSeq, detail.summary.seq])}
                onEdit={() => setEditing(true)}
              />
            ) : (
              <p class="empty">{detailError ? visible(detailError) : 'Loading…'}</p>
            )}
          </aside>
        ) : null}
      </div>
      {diff ? <DiffDialog leftSeq={diff[0]} rightSeq={diff[1]} onClose={() => setDiff(null)} /> : null}
      {editing && detail && info ? <EditDialog detail={detail} info={info} onClose={() => setEditing(false)} /> : null}
    </div>
  );
}

// The page appears with its first rows, so nothing jumps as they come (or without them, if they
// take long). The "Loading…" placeholder goes: preact renders beside what it did not create.
const ready = firstPageHere ? Promise.race([firstPageHere.catch(() => {}), new Promise((resolve) => setTimeout(resolve, 400))]) : Promise.resolve();
void ready.then(() => {
  const root = document.getElementById('app')!;
  root.replaceChildren();
  render(<App />, root);
});
