/**
 * One delivery: what arrived (headers, body pretty or byte for byte), why it verified or not (the
 * verification panel), what the app answered, and the actions. Everything from the sender is
 * rendered as text.
 */
import { useMemo, useState } from 'preact/hooks';
import type { BodyView, DeliveryDetail, InfoView, VerificationView } from '../types.js';
import { ActionBar } from './actions.js';
import { InlineDiff } from './diff.js';
import { base64ToBytes, dateTime, formatBytes, headerValue, hexDump, prettyText, seconds, utf8Bytes, visible } from './format.js';
import { Check, statusClass } from './list.js';

const BASIS: Record<VerificationView['basis'], string> = {
  received: 'as the listener judged it when it arrived',
  rechecked: 'checked now with the secret hookctl was given, as of the time it was captured',
  recorded: 'as recorded in the capture (give --secret to check it here)',
};

const MAX_SIGNED_PREVIEW = 4096;

function SignedContent({ v, body }: { v: VerificationView; body: BodyView | null }) {
  const [full, setFull] = useState(false);
  const signed = v.explanation?.signed;
  if (!signed) return <span class="dim">{v.explanation ? 'the request lacks part of what this scheme signs (id, timestamp or URL)' : '—'}</span>;
  const bodyText = body ? (body.encoding === 'utf8' ? body.data : `‹${formatBytes(body.bytes)} of binary›`) : '';
  return (
    <div>
      <div class="signed" data-testid="signed-content">
        {visible(signed.prefix, true)}
        {signed.includesBody ? (
          full ? (
            <span>{visible(bodyText.length > MAX_SIGNED_PREVIEW ? `${bodyText.slice(0, MAX_SIGNED_PREVIEW)}…` : bodyText, true)}</span>
          ) : (
            <span class="body-token">‹raw body, {body ? formatBytes(body.bytes) : '?'}›</span>
          )
        ) : null}
        {visible(signed.suffix, true)}
      </div>
      {signed.includesBody ? (
        <button class="btn ghost" onClick={() => setFull(!full)}>
          {full ? 'hide the body' : 'show with the body'}
        </button>
      ) : null}
    </div>
  );
}

export function VerificationPanel({ v, body }: { v: VerificationView; body: BodyView | null }) {
  const state = v.verified === true ? 'ok' : v.verified === false ? 'bad' : 'none';
  const title = v.schemeTitle ?? v.scheme;
  const explanation = v.explanation;
  let headline: string;
  if (state === 'ok') headline = `✓ Verified${title ? ` — ${title}` : ''}${v.secretIndex !== null ? `, secret #${v.secretIndex + 1}` : ''}`;
  else if (state === 'bad') headline = `✗ ${v.reason ?? 'not verified'}${title ? ` — ${title}` : ''}`;
  else headline = title ? `${title} signature, not checked: hookctl has no secret` : 'No signature scheme recognised';
  const outside = v.skewSeconds !== null && Math.abs(v.skewSeconds) > v.toleranceSeconds;
  return (
    <section class="card" aria-label="verification">
      <h3>Verification</h3>
      <div class={`verdict ${state}`} data-testid="verdict">
        <div class="verdict-line">{visible(headline)}</div>
        {v.message ? <p>{visible(v.message)}</p> : null}
        {v.diagnosis ? (
          <p class="cause" data-testid="diagnosis">
            <b>Likely cause:</b> {visible(v.diagnosis)}
          </p>
        ) : null}
        <p class="note">{BASIS[v.basis]}</p>
      </div>
      <dl class="kv">
        <dt>Scheme</dt>
        <dd>{title ? `${title} (${v.scheme})` : '—'}</dd>
        <dt>Secret used</dt>
        <dd data-testid="secret-used">{v.secretIndex !== null ? `#${v.secretIndex + 1} of ${v.secretCount || 1}` : v.secretCount > 0 ? `none of the ${v.secretCount} matched` : 'none configured'}</dd>
        {v.timestamp !== null ? (
          <>
            <dt>Timestamp</dt>
            <dd class="num">
              {v.timestamp} <span class="dim">({dateTime(new Date(v.timestamp * 1000).toISOString())})</span>
            </dd>
            <dt>Skew</dt>
            <dd class={`num ${outside ? 'error-text' : ''}`} data-testid="skew">
              {v.skewSeconds === null ? '—' : `${v.skewSeconds > 0 ? '+' : ''}${seconds(v.skewSeconds)} from arrival`} <span class="dim">(tolerance ±{seconds(v.toleranceSeconds)})</span>
            </dd>
          </>
        ) : null}
        <dt>Signed content</dt>
        <dd>
          <SignedContent v={v} body={body} />
        </dd>
        {explanation ? (
          <>
            <dt>Received</dt>
            <dd data-testid="received-signatures">
              <span class="dim mono">{explanation.header}: </span>
              {explanation.received.length === 0 ? <span class="dim">none</span> : explanation.received.map((signature, i) => <div key={i} class="sig">{visible(signature)}</div>)}
            </dd>
            {explanation.computed.map((computed) => (
              <>
                <dt key={`t${computed.secretIndex}`}>Computed (secret #{computed.secretIndex + 1})</dt>
                <dd key={`d${computed.secretIndex}`} data-testid="computed-signature">
                  {computed.signature === null ? (
                    <span class="dim">{visible(computed.note ?? 'cannot be computed')}</span>
                  ) : (
                    <span class={`sig ${computed.matches ? 'match' : 'differs'}`}>
                      {computed.signature} {computed.matches ? '✓ matches' : '✗ differs'}
                    </span>
                  )}
                </dd>
              </>
            ))}
            {explanation.computed.length === 0 ? (
              <>
                <dt>Computed</dt>
                <dd class="dim">needs a secret (start hookctl with --secret)</dd>
              </>
            ) : null}
          </>
        ) : null}
      </dl>
      {explanation?.note ? <p class="note">{explanation.note}</p> : null}
      {v.signedBody && body?.encoding === 'utf8' ? (
        <div style={{ marginTop: '10px' }}>
          <p class="cause">
            <b>How the body changed:</b> {visible(v.signedBody.cause.replace(/\.$/, ''))}. The signature matches the body the sender signed (struck through) but not the one that arrived (marked).
          </p>
          <InlineDiff before={v.signedBody.text} after={body.data} />
        </div>
      ) : null}
    </section>
  );
}

type BodyMode = 'pretty' | 'raw' | 'hex';

function Body({ body, contentType }: { body: BodyView; contentType: string }) {
  const [mode, setMode] = useState<BodyMode>(body.encoding === 'base64' ? 'hex' : 'pretty');
  const bytes = useMemo(() => (body.encoding === 'base64' ? base64ToBytes(body.data) : utf8Bytes(body.data)), [body]);
  const pretty = useMemo(() => (body.encoding === 'utf8' ? prettyText(body.data, contentType) : null), [body, contentType]);
  let content: string;
  if (mode === 'hex') content = hexDump(bytes);
  else if (mode === 'pretty' && pretty) content = pretty.text;
  else content = body.encoding === 'utf8' ? body.data : hexDump(bytes);
  return (
    <section class="card" aria-label="body">
      <h3>
        Body <span class="dim num">{formatBytes(body.bytes)}</span>
        <span class="spacer" />
        <span class="seg" role="group" aria-label="body view">
          {(['pretty', 'raw', 'hex'] as const).map((option) => (
            <button key={option} aria-pressed={mode === option} disabled={option !== 'hex' && body.encoding === 'base64'} onClick={() => setMode(option)}>
              {option === 'pretty' ? (pretty?.kind === 'json' ? 'JSON' : pretty?.kind === 'form' ? 'form' : 'text') : option === 'raw' ? 'raw bytes' : 'hex'}
            </button>
          ))}
        </span>
      </h3>
      {body.bytes === 0 ? (
        <p class="dim">(empty body)</p>
      ) : (
        <pre class={`code ${mode === 'hex' ? 'hex' : ''}`} data-testid="body">
          {visible(content, true)}
        </pre>
      )}
      {body.truncated ? <p class="note">Only the first {formatBytes(body.data.length)} are shown; download the fixture for all of it.</p> : null}
      {body.redacted ? <p class="note">Parts of the body equal to a configured secret are shown as [redacted: secret].</p> : null}
    </section>
  );
}

export function Detail(props: { detail: DeliveryDetail; info: InfoView; onClose(): void; compareSeq: number | null; onCompare(): void; onDiff(): void; onEdit(): void }) {
  const { detail } = props;
  const s = detail.summary;
  const contentType = headerValue(detail.headers, 'content-type');
  return (
    <div class="detail" data-testid="detail" data-seq={s.seq}>
      <div class="detail-head">
        <div class="detail-title">
          <span class="mono">{visible(s.method)}</span>
          <span class="mono">{visible(s.path)}</span>
          <button class="btn ghost close" aria-label="close the detail" onClick={props.onClose}>
            ✕
          </button>
        </div>
        <div class="meta">
          <span>#{s.seq + 1}</span>
          <span class="num">{dateTime(s.time)}</span>
          <Check row={s} />
          {s.eventType ? <span class="mono">{visible(s.eventType)}</span> : null}
          {s.eventId ? <span class="mono">{visible(s.eventId)}</span> : null}
          {s.duplicate ? <span class="pill dup">duplicate</span> : null}
          {s.fault ? <span class="pill fault">{visible(s.fault)}</span> : null}
          {s.status !== null ? <span class={statusClass(s.status)}>answered {s.status}</span> : null}
          <span class="dim mono">{visible(s.source)}</span>
        </div>
        <div style={{ marginTop: '10px' }}>
          <ActionBar key={s.seq} detail={detail} info={props.info} onEdit={props.onEdit} onCompare={props.onCompare} compareSeq={props.compareSeq} onDiff={props.onDiff} />
        </div>
      </div>
      <VerificationPanel v={detail.verification} body={detail.body} />
      <section class="card" aria-label="headers">
        <h3>
          Headers <span class="dim num">{detail.headers.length}</span>
        </h3>
        <table class="headers" data-testid="headers">
          <tbody>
            {detail.headers.map(([name, value], i) => (
              <tr key={i} class={value.startsWith('[redacted') ? 'redacted' : ''}>
                <td>{visible(name)}</td>
                <td>{visible(value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {detail.body ? <Body body={detail.body} contentType={contentType} /> : <p class="note">{visible(detail.bodyMissing ?? 'no body')}</p>}
      {s.forward || detail.forwardAttempts.length > 0 ? (
        <section class="card" aria-label="forward">
          <h3>Forwarded to the app</h3>
          {s.forward ? (
            <p>
              {s.forward.pending ? (
                'queued, not finished yet'
              ) : (
                <>
                  {s.forward.status !== null ? <span class={statusClass(s.forward.status)}>answered {s.forward.status}</span> : <span class="status-x">no answer</span>} in{' '}
                  <span class="num">{s.forward.ms} ms</span>
                  {s.forward.attempts !== null ? `, ${s.forward.attempts} attempt${s.forward.attempts === 1 ? '' : 's'}` : ''}
                  {s.forward.error ? <span class="error-text"> — {visible(s.forward.error)}</span> : null}
                </>
              )}
            </p>
          ) : null}
          {detail.forwardAttempts.length > 0 ? (
            <ul class="result-list">
              {detail.forwardAttempts.map((attempt) => (
                <li key={attempt.attempt} data-testid="app-answer">
                  attempt {attempt.attempt}: {attempt.status !== null ? <span class={statusClass(attempt.status)}>{attempt.status}</span> : <span class="status-x">{visible(attempt.error ?? 'no answer')}</span>} <span class="dim num">{attempt.ms} ms</span>
                  {attempt.headers && attempt.headers.length > 0 ? (
                    <table class="headers">
                      <tbody>
                        {attempt.headers.map(([name, value], i) => (
                          <tr key={i}>
                            <td>{visible(name)}</td>
                            <td>{visible(value)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  ) : null}
                  {attempt.snippet ? <pre class="code snippet">{visible(attempt.snippet, true)}</pre> : null}
                  {attempt.hint ? (
                    <p class="cause">
                      <b>Likely cause:</b> {visible(attempt.hint)}
                    </p>
                  ) : null}
                </li>
              ))}
            </ul>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
