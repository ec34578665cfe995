/**
 * Diffs: two deliveries side by side (headers, then the JSON body with keys in a canonical order),
 * and one body against the body its sender signed, character by character with whitespace shown
 * (re-serialization changes little else). jsdiff does the diffing.
 */
import { diffChars, diffJson, diffLines, type Change } from 'diff';
import { useEffect, useState } from 'preact/hooks';
import type { BodyView, DeliveryDetail } from '../types.js';
import { getJson } from './api.js';
import { Dialog } from './dialog.js';
import { base64ToBytes, clock, hexDump, visible } from './format.js';

const MAX_INLINE_DIFF = 64 * 1024;

function showWhitespace(text: string): string {
  return text.replace(/ /g, '·').replace(/\t/g, '→\t').replace(/\r/g, '␍').replace(/\n/g, '↵\n');
}

/** `before` -> `after` in one block: removed text struck through, added text marked. */
export function InlineDiff({ before, after }: { before: string; after: string }) {
  if (before.length + after.length > MAX_INLINE_DIFF) {
    return <p class="note">The bodies are too large to diff here ({before.length + after.length} characters); download both as fixtures and compare them with a diff tool.</p>;
  }
  const parts = diffChars(before, after);
  return (
    <pre class="code inline-diff" data-testid="signed-body-diff">
      {parts.map((part, i) =>
        part.removed ? (
          <del key={i}>{visible(showWhitespace(part.value), true)}</del>
        ) : part.added ? (
          <ins key={i}>{visible(showWhitespace(part.value), true)}</ins>
        ) : (
          <span key={i}>{visible(part.value, true)}</span>
        ),
      )}
    </pre>
  );
}

interface SideRow {
  left: string | null;
  right: string | null;
  kind: 'same' | 'change' | 'del' | 'ins';
}

function lines(value: string): string[] {
  const split = value.split('\n');
  if (split[split.length - 1] === '') split.pop();
  return split;
}

/** jsdiff's change list as rows of a two-column table, removed lines paired with added ones. */
export function sideBySide(changes: Change[]): SideRow[] {
  const rows: SideRow[] = [];
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i]!;
    if (!change.added && !change.removed) {
      for (const line of lines(change.value)) rows.push({ left: line, right: line, kind: 'same' });
    } else if (change.removed) {
      const next = changes[i + 1];
      const removed = lines(change.value);
      if (next?.added) {
        const added = lines(next.value);
        for (let j = 0; j < Math.max(removed.length, added.length); j++) rows.push({ left: removed[j] ?? null, right: added[j] ?? null, kind: 'change' });
        i++;
      } else for (const line of removed) rows.push({ left: line, right: null, kind: 'del' });
    } else for (const line of lines(change.value)) rows.push({ left: null, right: line, kind: 'ins' });
  }
  return rows;
}

function bodyText(body: BodyView | null): { text: string; json: unknown } {
  if (!body) return { text: '', json: undefined };
  if (body.encoding === 'base64') return { text: hexDump(base64ToBytes(body.data)), json: undefined };
  try {
    return { text: body.data, json: JSON.parse(body.data) as unknown };
  } catch {
    return { text: body.data, json: undefined };
  }
}

function HeaderDiff({ left, right }: { left: DeliveryDetail; right: DeliveryDetail }) {
  const a = new Map(left.headers.map(([name, value]) => [name.toLowerCase(), value]));
  const b = new Map(right.headers.map(([name, value]) => [name.toLowerCase(), value]));
  const names = [...new Set([...a.keys(), ...b.keys()])].sort();
  return (
    <table class="diff" data-testid="header-diff">
      <thead>
        <tr>
          <th>header</th>
          <th>#{left.summary.seq + 1}</th>
          <th>#{right.summary.seq + 1}</th>
        </tr>
      </thead>
      <tbody>
        {names.map((name) => {
          const x = a.get(name);
          const y = b.get(name);
          return (
            <tr key={name} class={x === y ? '' : 'changed'}>
              <td class="name">{visible(name)}</td>
              <td class={x === undefined ? 'blank' : 'side'}>{x === undefined ? '' : visible(x)}</td>
              <td class={y === undefined ? 'blank' : 'side'}>{y === undefined ? '' : visible(y)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function BodyDiff({ left, right }: { left: DeliveryDetail; right: DeliveryDetail }) {
  const a = bodyText(left.body);
  const b = bodyText(right.body);
  const bothJson = a.json !== undefined && b.json !== undefined;
  const changes = bothJson ? diffJson(a.json as object, b.json as object) : diffLines(a.text, b.text);
  const rows = sideBySide(changes);
  const changed = rows.filter((row) => row.kind !== 'same').length;
  return (
    <>
      <p class="note">{bothJson ? 'JSON bodies, keys in sorted order so only real changes show' : 'text bodies, line by line'}: {changed === 0 ? 'no differences' : `${changed} changed line${changed === 1 ? '' : 's'}`}</p>
      <table class="diff" data-testid="body-diff">
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              <td class={row.left === null ? 'blank' : row.kind === 'same' ? '' : 'del'}>{row.left === null ? '' : visible(row.left, true)}</td>
              <td class={row.right === null ? 'blank' : row.kind === 'same' ? '' : 'ins'}>{row.right === null ? '' : visible(row.right, true)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function DiffDialog({ leftSeq, rightSeq, onClose }: { leftSeq: number; rightSeq: number; onClose(): void }) {
  const [pair, setPair] = useState<[DeliveryDetail, DeliveryDetail] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    Promise.all([getJson<DeliveryDetail>(`/api/deliveries/${leftSeq}`), getJson<DeliveryDetail>(`/api/deliveries/${rightSeq}`)])
      .then((details) => setPair(details))
      .catch((failure: Error) => setError(failure.message));
  }, [leftSeq, rightSeq]);
  const label = (detail: DeliveryDetail) => `#${detail.summary.seq + 1} ${clock(detail.summary.time)} ${visible(detail.summary.eventType ?? detail.summary.path)}`;
  return (
    <Dialog
      label="compare deliveries"
      title={
        <>
          <span>Compare</span>
          {pair ? (
            <span class="dim mono">
              {label(pair[0])} ⇄ {label(pair[1])}
            </span>
          ) : null}
        </>
      }
      onClose={onClose}
    >
      {error ? <p class="error-text">{error}</p> : null}
      {pair ? (
        <>
          <section class="card">
            <h3>Headers</h3>
            <HeaderDiff left={pair[0]} right={pair[1]} />
          </section>
          <section class="card">
            <h3>Body</h3>
            <BodyDiff left={pair[0]} right={pair[1]} />
          </section>
        </>
      ) : error ? null : (
        <p class="dim">Loading…</p>
      )}
    </Dialog>
  );
}
