/**
 * The actions on one delivery: replay it to a URL (re-signed or as captured), edit and replay it
 * (always re-signed by hookctl: the page never sees a secret), copy it as a signed curl command,
 * download it as a fixture. Every action is a POST the server checks (token and Origin).
 */
import { useState } from 'preact/hooks';
import type { DeliveryDetail, EditView, InfoView, ReplayOutcomeView } from '../types.js';
import { download, postJson } from './api.js';
import { statusClass } from './list.js';
import { Dialog } from './dialog.js';
import { visible } from './format.js';

/** A URL typed on the page is remembered per run setup: a new forward target starts from itself. */
const targetKey = (info: InfoView) => `hookctl-inspector-target ${info.subject} ${info.defaultTarget ?? ''}`;

/** Where replays go unless the person typed another URL: the forward target (with the delivery's path when it has none of its own). */
function defaultTarget(info: InfoView, path: string): string {
  if (!info.defaultTarget) return '';
  if (!info.defaultTargetKeepsPath) return info.defaultTarget;
  try {
    return new URL(path, info.defaultTarget).href;
  } catch {
    return info.defaultTarget;
  }
}

export function initialTarget(info: InfoView, path: string): string {
  return localStorage.getItem(targetKey(info)) ?? defaultTarget(info, path);
}

export function rememberTarget(info: InfoView, path: string, url: string): void {
  const chosen = url.trim();
  if (chosen && chosen !== defaultTarget(info, path)) localStorage.setItem(targetKey(info), chosen);
}

export type Mode = 'resign' | 'as-is';

function Outcome({ outcome }: { outcome: ReplayOutcomeView }) {
  const last = outcome.attempts[outcome.attempts.length - 1];
  return (
    <li data-testid="replay-result">
      <span class={outcome.ok ? 'check ok' : 'check bad'}>{outcome.ok ? '✓' : '✗'}</span> {outcome.sent.method} <span class="mono">{visible(outcome.sent.url)}</span> →{' '}
      {outcome.status !== null ? <span class={`num ${statusClass(outcome.status)}`}>{outcome.status}</span> : <span class="status-x">no answer</span>} <span class="dim num">{outcome.ms} ms</span>
      {outcome.error ? <div class="error-text mono">{visible(outcome.error)}</div> : null}
      {last?.snippet && !outcome.error?.includes(last.snippet.replace(/\s+/g, ' ').trim()) ? (
        <pre class="code snippet" data-testid="replay-answer">
          {visible(last.snippet, true)}
        </pre>
      ) : null}
      {last?.hint ? (
        <p class="cause" data-testid="replay-hint">
          <b>Likely cause:</b> {visible(last.hint)}
        </p>
      ) : null}
    </li>
  );
}

function ReplayResults({ results, label }: { results: ReplayOutcomeView[]; label: string }) {
  if (results.length === 0) return null;
  return (
    <ul class="result-list" aria-label={label}>
      {results.map((outcome, i) => (
        <Outcome key={results.length - i} outcome={outcome} />
      ))}
    </ul>
  );
}

export function CurlBox({ command }: { command: string }) {
  return (
    <div class="curl">
      <textarea class="field" readOnly rows={Math.min(12, command.split('\n').length + 1)} style={{ height: 'auto' }} data-testid="curl-command" value={command} onFocus={(event) => (event.target as HTMLTextAreaElement).select()} />
    </div>
  );
}

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** Replay, curl and download for the delivery shown. */
export function ActionBar({ detail, info, onEdit, onCompare, compareSeq, onDiff }: { detail: DeliveryDetail; info: InfoView; onEdit(): void; onCompare(): void; compareSeq: number | null; onDiff(): void }) {
  const seq = detail.summary.seq;
  const [target, setTarget] = useState(() => initialTarget(info, detail.summary.path));
  const [mode, setMode] = useState<Mode>(info.canSign ? 'resign' : 'as-is');
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<ReplayOutcomeView[]>([]);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [curl, setCurl] = useState<string | null>(null);
  const unreadable = detail.body === null;

  const run = async (what: () => Promise<void>) => {
    setBusy(true);
    setMessage(null);
    try {
      await what();
    } catch (error) {
      setMessage({ text: (error as Error).message, error: true });
    } finally {
      setBusy(false);
    }
  };

  const replay = () =>
    run(async () => {
      rememberTarget(info, detail.summary.path, target);
      const outcome = await postJson<ReplayOutcomeView>(`/api/deliveries/${seq}/replay`, { to: target, mode });
      setResults((previous) => [outcome, ...previous].slice(0, 20));
    });

  const copyCurl = () =>
    run(async () => {
      rememberTarget(info, detail.summary.path, target);
      const { command } = await postJson<{ command: string }>(`/api/deliveries/${seq}/curl`, { to: target, mode: info.canSign ? 'resign' : 'as-is' });
      setCurl(command);
      const copied = await copy(command);
      setMessage({ text: copied ? `curl command copied${info.canSign ? ' (signed now: its timestamp is fresh for the tolerance window)' : ' (captured headers, not re-signed)'}` : 'select the command below and copy it', error: false });
    });

  const fixture = () =>
    run(async () => {
      const name = await download(`/api/deliveries/${seq}/fixture`);
      setMessage({ text: `downloaded ${name}`, error: false });
    });

  return (
    <div>
      <div class="replay-form" role="group" aria-label="replay">
        <input
          class="field url mono"
          type="url"
          placeholder="http://127.0.0.1:3000/webhooks"
          aria-label="replay to URL"
          value={target}
          onInput={(event) => setTarget((event.target as HTMLInputElement).value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter') void replay();
          }}
        />
        <select class="field" aria-label="replay mode" value={mode} onChange={(event) => setMode((event.target as HTMLSelectElement).value as Mode)}>
          <option value="resign" disabled={!info.canSign}>
            re-signed now
          </option>
          <option value="as-is">as captured</option>
        </select>
        <button class="btn primary" disabled={busy || unreadable || !target.trim()} onClick={replay}>
          Replay
        </button>
      </div>
      <div class="actions">
        <button class="btn" disabled={busy || unreadable || !info.canSign} title={info.canSign ? 'change the body or headers, then re-sign and send' : 'start hookctl with --secret to re-sign edits'} onClick={onEdit}>
          Edit &amp; replay
        </button>
        <button class="btn" disabled={busy || unreadable || !target.trim()} title={target.trim() ? 'a curl command that sends it, signed now' : 'give the URL to post to first'} onClick={copyCurl}>
          Copy as curl
        </button>
        <button class="btn" disabled={busy || unreadable} onClick={fixture}>
          Download fixture
        </button>
        {compareSeq === null || compareSeq === seq ? (
          <button class="btn" onClick={onCompare} aria-pressed={compareSeq === seq}>
            {compareSeq === seq ? 'Comparing…' : 'Compare'}
          </button>
        ) : (
          <button class="btn" onClick={onDiff}>
            Diff with #{compareSeq + 1}
          </button>
        )}
      </div>
      {message ? <p class={message.error ? 'note error-text' : 'note'} role="status">{visible(message.text)}</p> : null}
      {curl ? <CurlBox command={curl} /> : null}
      <ReplayResults results={results} label="replays" />
    </div>
  );
}

function headersToText(headers: Array<[string, string]>): string {
  return headers.map(([name, value]) => `${name}: ${value}`).join('\n');
}

function textToHeaders(text: string): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`header line ${index + 1} is not "Name: value"`);
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  });
  return headers;
}

/** Edit body and headers, then hookctl re-signs with its secret and sends, or prints curl. */
export function EditDialog({ detail, info, onClose }: { detail: DeliveryDetail; info: InfoView; onClose(): void }) {
  const binary = detail.body?.encoding === 'base64';
  const [headers, setHeaders] = useState(() => headersToText(detail.headers));
  const [body, setBody] = useState(() => detail.body?.data ?? '');
  const [target, setTarget] = useState(() => initialTarget(info, detail.summary.path));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [results, setResults] = useState<ReplayOutcomeView[]>([]);
  const [curl, setCurl] = useState<string | null>(null);

  const edit = (): EditView => ({ method: detail.summary.method, headers: textToHeaders(headers), body, bodyEncoding: binary ? 'base64' : 'utf8' });

  const act = async (what: 'replay' | 'curl') => {
    setBusy(true);
    setError(null);
    try {
      rememberTarget(info, detail.summary.path, target);
      const ask = { to: target, mode: 'resign', edit: edit() };
      if (what === 'replay') {
        const outcome = await postJson<ReplayOutcomeView>(`/api/deliveries/${detail.summary.seq}/replay`, ask);
        setResults((previous) => [outcome, ...previous].slice(0, 20));
      } else {
        const { command } = await postJson<{ command: string }>(`/api/deliveries/${detail.summary.seq}/curl`, ask);
        setCurl(command);
        await copy(command);
      }
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const formatJson = () => {
    try {
      setBody(JSON.stringify(JSON.parse(body), null, 2));
      setError(null);
    } catch {
      setError('the body is not JSON');
    }
  };

  return (
    <Dialog
      label="edit and replay"
      title={
        <>
          <span>Edit &amp; replay #{detail.summary.seq + 1}</span>
          <span class="dim">re-signed by hookctl with secret #1{info.secretCount > 1 ? ` of ${info.secretCount}` : ''}; signature headers are replaced</span>
        </>
      }
      onClose={onClose}
    >
      <div class="editor-grid">
        <div>
          <label for="edit-headers">Headers (one "Name: value" per line)</label>
          <textarea id="edit-headers" class="field" spellcheck={false} value={headers} onInput={(event) => setHeaders((event.target as HTMLTextAreaElement).value)} />
        </div>
        <div>
          <label for="edit-body">Body{binary ? ' (binary, as base64)' : ''} — sent byte for byte as written here</label>
          <textarea id="edit-body" class="field" spellcheck={false} value={body} onInput={(event) => setBody((event.target as HTMLTextAreaElement).value)} />
        </div>
      </div>
      <div class="replay-form" style={{ marginTop: '10px' }}>
        <input class="field url mono" type="url" aria-label="send to URL" placeholder="http://127.0.0.1:3000/webhooks" value={target} onInput={(event) => setTarget((event.target as HTMLInputElement).value)} />
        {binary ? null : (
          <button class="btn" onClick={formatJson}>
            Format JSON
          </button>
        )}
        <button class="btn" disabled={busy || !target.trim()} onClick={() => act('curl')}>
          Copy as curl
        </button>
        <button class="btn primary" disabled={busy || !target.trim()} onClick={() => act('replay')}>
          Re-sign &amp; send
        </button>
      </div>
      {error ? <p class="note error-text" role="alert">{visible(error)}</p> : null}
      {curl ? <CurlBox command={curl} /> : null}
      <ReplayResults results={results} label="edited replays" />
    </Dialog>
  );
}
