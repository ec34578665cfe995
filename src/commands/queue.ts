/**
 * `hookctl queue status|dead|requeue <queue>`: delivery status for a queue, through the one
 * QueueBackend interface (src/queue/status.ts) that both engines implement.
 */
import type { CommandContext } from '../cli/context.js';
import { table, type Output } from '../cli/output.js';
import { queueOverridesFrom, redisTimeoutFrom } from '../cli/queue-options.js';
import { EXIT, failure, usageError } from '../errors.js';
import { parseInteger, parsePositiveDuration } from '../options/units.js';
import type { DeadLetter } from '../queue-backend/types.js';
import { openQueueBackend } from '../queue-backend/open.js';
import type { QueueBackend, QueueStatus } from '../queue-backend/types.js';
import { formatDuration } from '../text/duration.js';
import { formatBytes } from '../text/bytes.js';
import { printable } from '../text/printable.js';
import { hideUrlPasswords } from '../text/url.js';


function rate(perSecond: number): string {
  return perSecond >= 10 ? String(Math.round(perSecond)) : String(Math.round(perSecond * 10) / 10);
}

function renderStatus(output: Output, status: QueueStatus): void {
  output.record({ type: 'status', ...status });
  if (output.json) return;
  const c = output.color;
  const outbox = status.engine === 'outbox';
  const rows: string[][] = [
    [outbox ? 'outbox' : 'queue', status.queue],
    ['pending', `${status.pending} waiting for ${outbox ? 'their first attempt' : 'a worker'}`],
  ];
  if (outbox) rows.push(['listener', status.workers.length ? status.workers.map((worker) => printable(worker.name, 60)).join(', ') : c.dim('none running on this folder (the next listen --ack-first on it resumes the pending forwards)')]);
  else {
    rows.push(['in flight', `${status.inFlight}${status.workers.length ? '' : ' (no workers)'}`]);
    for (const worker of status.workers) {
      const line = `${printable(worker.name, 60)}: ${worker.inFlight} in flight, idle ${formatDuration(worker.idleMs)}`;
      rows.push(['', worker.presumedDead ? c.yellow(`${line}: presumed dead (idle beyond --claim-idle)${worker.inFlight > 0 ? '; a running worker takes its entries over' : ''}`) : c.dim(line)]);
    }
  }
  const next = status.nextRetries[0];
  rows.push(['retries', `${status.scheduled} scheduled${next ? `; next ${next.at} ${printable(next.eventId ?? '-', 36)} (attempt ${next.attempts + 1}${next.lastError ? `, last: ${printable(next.lastError, 60)}` : ''})` : ''}`]);
  rows.push(['dead letters', `${status.dead > 0 ? c.red(String(status.dead)) : '0'}${status.requeueWaiting ? `; ${status.requeueWaiting} requeued, waiting for a listener to take them` : ''}`]);
  rows.push(['delivered', `${rate(status.deliveredPerSecond.last10s)}/s over 10s, ${rate(status.deliveredPerSecond.last60s)}/s over 60s; ${status.totals.delivered} in total`]);
  if (status.stream) rows.push([outbox ? 'log' : 'stream', `${status.stream.entries} ${outbox ? 'lines' : 'entries'}${status.stream.bytes !== null ? `, ${formatBytes(status.stream.bytes)}` : ''}`]);
  if (status.memory && status.memory.maxBytes > 0) {
    const use = `${formatBytes(status.memory.usedBytes)} of ${formatBytes(status.memory.maxBytes)} (maxmemory)`;
    rows.push(['memory', status.memory.full ? c.red(`${use}: FULL — listeners answer 503 queue_full until workers deliver and make room`) : use]);
  }
  output.line(table(rows));
}

/** A dead letter's route and target, without a URL password (older entries stored them as given). */
function maskLetter(letter: DeadLetter): DeadLetter {
  return JSON.parse(hideUrlPasswords(JSON.stringify(letter))) as DeadLetter;
}

function renderDead(output: Output, letters: DeadLetter[], total: number): void {
  for (const letter of letters) output.record({ type: 'dead', ...maskLetter(letter) });
  output.record({ type: 'summary', dead: total, shown: letters.length });
  if (output.json) return;
  const c = output.color;
  if (letters.length === 0) {
    output.line('no dead letters');
    return;
  }
  const rows = [['id', 'died', 'event', 'type', 'route', 'called', 'attempts', 'why'].map((title) => c.bold(title))];
  for (const letter of letters) {
    // `called`: the URL the last attempt went to (the route's base URL and the delivery's path, when the route names none).
    rows.push([letter.id, letter.deadAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), printable(letter.eventId ?? '-', 36), printable(letter.eventType ?? '-', 32), printable(hideUrlPasswords(letter.route ?? '-'), 48), printable(hideUrlPasswords(letter.target ?? '-'), 60), String(letter.attempts), c.red(printable(`${letter.reason}: ${letter.error}`, 100))]);
  }
  output.line(table(rows));
  if (total > letters.length) output.line(c.dim(`… and ${total - letters.length} more (--limit)`));
}

async function withBackend<T>(context: CommandContext, use: (backend: QueueBackend) => Promise<T>): Promise<T> {
  const timeoutMs = redisTimeoutFrom(context.options);
  const backend = await openQueueBackend(String(context.args[0] ?? ''), queueOverridesFrom(context.options), '<queue>', timeoutMs === undefined ? {} : { connectTimeoutMs: timeoutMs, commandTimeoutMs: timeoutMs });
  try {
    return await use(backend);
  } catch (error) {
    // Redis went silent or away after connecting: one line naming it (its password masked), exit 1.
    const name = (error as Error)?.name;
    if (name === 'QueueTimeoutError' || name === 'QueueUnavailableError' || name === 'QueueFullError') throw failure((error as Error).message);
    throw error;
  } finally {
    await backend.close();
  }
}

export async function run(context: CommandContext): Promise<number> {
  const { command, options, output, args } = context;
  switch (command.name()) {
    case 'status': {
      const claimIdleMs = parsePositiveDuration(String(options.claimIdle ?? '30s'), '--claim-idle');
      await withBackend(context, async (backend) => renderStatus(output, await backend.status({ claimIdleMs })));
      return EXIT.ok;
    }
      return EXIT.ok;
    case 'dead': {
      const limit = parseInteger(String(options.limit ?? '100'), '--limit', { min: 1, max: 1_000_000 });
      await withBackend(context, async (backend) => {
        const [letters, status] = await Promise.all([backend.deadLetters(limit), backend.status()]);
        renderDead(output, letters, status.dead);
      });
      return EXIT.ok;
    }
    case 'requeue': {
      const ids = args.slice(1);
      if (ids.length > 0 && options.all) throw usageError('--all: give dead-letter ids or --all, not both');
      if (ids.length === 0 && !options.all) throw usageError('requeue: which dead letters? Give their ids (hookctl queue dead lists them) or --all');
      for (const id of ids) if (!/^\d+-\d+$/.test(id)) throw usageError(`requeue: "${printable(id, 40)}" is not a dead-letter id (they look like 1712345678901-0)`);
      const { count, note } = await withBackend(context, async (backend) => {
        const requeued = await backend.requeue(options.all ? 'all' : ids);
        return { count: requeued, note: backend.afterRequeue?.() };
      });
      output.record({ type: 'requeued', count, requested: options.all ? 'all' : ids.length, ...(note ? { note } : {}) });
      output.line(`${count} dead letter${count === 1 ? '' : 's'} put back in the queue`);
      if (note) output.note(output.errColor.dim(note));
      if (ids.length > count) output.warn(`${ids.length - count} of the ids given are not dead letters (already requeued?)`);
      return EXIT.ok;
    }
    default:
      throw new Error(`queue: no subcommand ${command.name()}`);
  }
}
