/**
 * What `hookctl inspect` and `hookctl listen --ui` share: the --ui-port/--ui-host flags, the line
 * (or record) for each action taken on the page, and the warning when the page is reachable from
 * the network. Loading this loads no inspector module: the commands import it once it runs.
 */
import type { Command, OptionValues } from 'commander';
import type { Output } from '../cli/output.js';
import { usageError } from '../errors.js';
import type { ActionEvent } from '../inspector/index.js';
import { isLoopbackHost } from '../options/hosts.js';
import { parseInteger } from '../options/units.js';
import { printable } from '../text/printable.js';

export interface UiPlace {
  host: string;
  port: number;
  /** The default port was not asked for: when it is taken, any free one will do. */
  portFallback: boolean;
}

export function uiPlaceFrom(options: OptionValues, command: Command): UiPlace {
  const port = parseInteger(String(options.uiPort), '--ui-port', { min: 0, max: 65535 });
  const host = String(options.uiHost ?? '127.0.0.1').trim();
  if (host === '') throw usageError('--ui-host: expected an interface address such as 127.0.0.1');
  return { host, port, portFallback: command.getOptionValueSource('uiPort') === 'default' };
}

/** The same warning as `listen --host 0.0.0.0`, for the page: it can read and send every delivery. */
export function warnIfExposed(output: Output, host: string, canSign: boolean): void {
  if (isLoopbackHost(host)) return;
  output.warn(`--ui-host ${host}: the inspector is reachable from the network; anyone with its URL can read every delivery and send them${canSign ? ' signed' : ''}; keep it on 127.0.0.1 unless you mean it`);
}

export function renderAction(output: Output, event: ActionEvent): void {
  output.record({ type: 'action', ...event });
  if (output.json) return;
  const c = output.color;
  const what = event.action === 'replay' ? `replayed${event.edited ? ' an edited copy of' : ''}` : event.action === 'curl' ? 'built a curl command for' : 'downloaded';
  const where = event.to ? ` → ${printable(event.to)}` : '';
  const result = event.action !== 'replay' ? '' : event.ok ? `  ${c.green(String(event.status))} ${c.dim(`${event.ms}ms`)}` : `  ${c.red(event.status === null ? printable(event.error ?? 'failed') : String(event.status))}`;
  output.line(`${c.dim('inspector:')} ${what} #${event.seq + 1}${where}${result}`);
}

/** `listen --ui-port`/`--ui-host` without `--ui` would do nothing: say so (only for flags typed, not env or config). */
export function checkUiFlagsNeedUi(options: OptionValues, command: Command): void {
  if (options.ui) return;
  for (const [flag, key] of [['--ui-port', 'uiPort'], ['--ui-host', 'uiHost']] as const) {
    if (command.getOptionValueSource(key) === 'cli') throw usageError(`${flag}: only makes sense with --ui`);
  }
}
