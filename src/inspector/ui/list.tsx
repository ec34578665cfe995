/**
 * The delivery list: a fixed-height row per delivery, only the visible rows in the DOM (the
 * server pages them), oldest at the top and new ones appended at the bottom, so streaming
 * deliveries never move what is on screen. While scrolled to the bottom it follows the stream.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { DeliverySummary } from '../types.js';
import { clock, formatBytes, visible } from './format.js';

export const ROW_HEIGHT = 26;
const OVERSCAN = 12;

export function Check({ row }: { row: DeliverySummary }) {
  if (row.problem !== undefined) return <span class="check bad">✗ unreadable</span>;
  // (One text node each: a list draws dozens of these at once.)
  if (row.verified === true) return <span class="check ok">{`✓ ${row.scheme ?? ''}`}</span>;
  if (row.verified === false) return <span class="check bad">{`✗ ${visible(row.reason ?? 'failed')}`}</span>;
  return <span class="check none">· unverified</span>;
}

export function statusClass(status: number | null): string {
  if (status === null) return 'status-x';
  return `status-${String(status)[0]}`;
}

function Forward({ row }: { row: DeliverySummary }) {
  const forward = row.forward;
  if (!forward) return null;
  if (forward.pending) return <span class="dim">→ queued</span>;
  if (forward.status === null) return <span class="status-x" title={forward.error ?? ''}>→ failed</span>;
  return (
    <>
      {'→ '}
      <span class={statusClass(forward.status)}>{forward.status}</span>
      <span class="dim num">{` ${forward.ms}ms`}</span>
    </>
  );
}

function Row({ row, index, selected, compare, onSelect }: { row: DeliverySummary | undefined; index: number; selected: boolean; compare: boolean; onSelect(index: number): void }) {
  const style = { transform: `translateY(${index * ROW_HEIGHT}px)` };
  if (!row) {
    return (
      <div class="row placeholder" style={style} aria-hidden="true">
        {Array.from({ length: 6 }, (_, i) => (
          <div class="cell" key={i}>
            ·
          </div>
        ))}
      </div>
    );
  }
  const classes = ['row', selected ? 'selected' : '', compare ? 'compare' : '', row.problem !== undefined ? 'problem' : ''].filter(Boolean).join(' ');
  if (row.problem !== undefined) {
    return (
      <div class={classes} style={style} data-seq={row.seq} role="row" aria-selected={selected} onClick={() => onSelect(index)}>
        <div class="cell mono" style={{ gridColumn: '1 / -1' }}>
          ✗ {visible(row.source)}: {visible(row.problem)}
        </div>
      </div>
    );
  }
  return (
    <div class={classes} style={style} data-seq={row.seq} role="row" aria-selected={selected} onClick={() => onSelect(index)}>
      <div class="cell mono num dim" title={row.time}>
        {clock(row.time)}
      </div>
      <div class="cell mono c-method">{visible(row.method)}</div>
      <div class="cell mono" title={visible(row.path)}>
        {visible(row.path)}
      </div>
      <div class="cell c-scheme">{row.scheme ?? <span class="dim">—</span>}</div>
      <div class="cell mono" title={visible(row.eventType ?? '')}>
        {row.eventType ? visible(row.eventType) : <span class="dim">—</span>}
      </div>
      <div class="cell mono c-id dim" title={visible(row.eventId ?? '')}>
        {row.eventId ? visible(row.eventId) : '—'}
      </div>
      <div class="cell" title={row.reason ?? ''}>
        <Check row={row} />
      </div>
      <div class="cell c-dup">{row.duplicate ? <span class="pill dup" title="duplicate event id">dup</span> : row.fault ? <span class="pill fault" title={visible(row.fault)}>fault</span> : null}</div>
      <div class={`cell num ${row.status === null ? 'dim' : statusClass(row.status)}`}>{row.status ?? '—'}</div>
      <div class="cell num right dim c-size">{formatBytes(row.bytes)}</div>
      <div class="cell num c-fwd">
        <Forward row={row} />
      </div>
    </div>
  );
}

export interface ListProps {
  total: number;
  rowAt(index: number): DeliverySummary | undefined;
  selected: number;
  compareSeq: number | null;
  following: boolean;
  onSelect(index: number): void;
  onRange(first: number, last: number): void;
  onFollowingChange(following: boolean): void;
  empty: ComponentChildren;
}

export function DeliveryList(props: ListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  // Following from the start: the rows that fit on screen are drawn in the first render, before
  // any measure (the overscan follows once it is measured).
  const [range, setRange] = useState(() => (props.following ? { first: Math.max(0, props.total - Math.ceil(window.innerHeight / ROW_HEIGHT)), last: props.total } : { first: 0, last: 0 }));

  const measure = () => {
    const element = scroller.current;
    if (!element) return;
    const visibleFirst = Math.floor(element.scrollTop / ROW_HEIGHT);
    const visibleLast = Math.min(props.total, Math.ceil((element.scrollTop + element.clientHeight) / ROW_HEIGHT));
    const first = Math.max(0, visibleFirst - OVERSCAN);
    const last = Math.min(props.total, visibleLast + OVERSCAN);
    // Drawn rows change only when the visible ones are not all drawn (or far too many are): the
    // first render's rows stay as they are, with no second pass before the first paint.
    const covered = range.first <= visibleFirst && range.last >= visibleLast && range.last - range.first <= visibleLast - visibleFirst + 4 * OVERSCAN;
    if (!covered) setRange({ first, last });
    props.onRange(first, last);
  };

  const latestMeasure = useRef(measure);
  latestMeasure.current = measure;
  useEffect(() => {
    const element = scroller.current;
    if (!element) return undefined;
    const observer = new ResizeObserver(() => latestMeasure.current());
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // Following: stay at the bottom as rows arrive (before paint, so nothing flickers).
  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && props.following) element.scrollTop = element.scrollHeight;
    measure();
  }, [props.total, props.following]);

  // The selected row is kept in view when it moves by keyboard.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element || props.selected < 0) return;
    const top = props.selected * ROW_HEIGHT;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + ROW_HEIGHT > element.scrollTop + element.clientHeight) element.scrollTop = top + ROW_HEIGHT - element.clientHeight;
  }, [props.selected]);

  const onScroll = () => {
    const element = scroller.current!;
    const atBottom = element.scrollTop + element.clientHeight >= element.scrollHeight - ROW_HEIGHT;
    if (atBottom !== props.following) props.onFollowingChange(atBottom);
    measure();
  };

  const { first, last } = range;
  const rows = [];
  for (let index = first; index < Math.min(last, props.total); index++) {
    const row = props.rowAt(index);
    rows.push(<Row key={index} row={row} index={index} selected={index === props.selected} compare={row !== undefined && row.seq === props.compareSeq} onSelect={props.onSelect} />);
  }
  return (
    <div class="list-pane">
      <div class="list-head" role="row">
        <div class="cell">time</div>
        <div class="cell c-method">method</div>
        <div class="cell">path</div>
        <div class="cell c-scheme">scheme</div>
        <div class="cell">event type</div>
        <div class="cell c-id">event id</div>
        <div class="cell">signature</div>
        <div class="cell c-dup" />
        <div class="cell">status</div>
        <div class="cell right c-size">size</div>
        <div class="cell c-fwd">forward</div>
      </div>
      <div class="list-scroll" ref={scroller} onScroll={onScroll} role="grid" aria-label="deliveries" aria-rowcount={props.total} tabIndex={-1}>
        {props.total === 0 ? (
          props.empty
        ) : (
          <div class="list-inner" style={{ height: `${props.total * ROW_HEIGHT}px` }}>
            {rows}
          </div>
        )}
      </div>
    </div>
  );
}
