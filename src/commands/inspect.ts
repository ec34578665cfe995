import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CommandContext } from '../cli/context.js';
import { onInterrupt } from '../cli/interrupt.js';
import { schemeOptionsFrom } from '../cli/scheme-flags.js';
import { resolveSecrets } from '../cli/secrets.js';
import { EXIT, usageError } from '../errors.js';
import { parseDuration, parseUrl } from '../options/units.js';
import { renderAction, uiPlaceFrom, warnIfExposed } from './inspector-ui.js';

const DEFAULT_PATH = 'fixtures/captured';

export async function run({ command, options, args, output, env, cwd }: CommandContext): Promise<number> {
  const place = uiPlaceFrom(options, command);
  const secrets = resolveSecrets(options, env);
  const toleranceSeconds = parseDuration(String(options.tolerance ?? '5m'), '--tolerance') / 1000;
  const defaultTarget = options.to !== undefined ? parseUrl(String(options.to), '--to').href : null;
  const publicUrl = options.url !== undefined ? parseUrl(String(options.url), '--url').href : undefined;
  const paths = args.length > 0 ? args : [DEFAULT_PATH];
  const missing: string[] = [];
  for (const path of paths) if (!(await stat(resolve(cwd, path)).then(() => true, () => false))) missing.push(path);
  if (missing.length > 0) {
    const hint = args.length === 0 ? ' (give the journals, fixture files or folders to inspect)' : '';
    throw usageError(`${missing.join(', ')}: no such file or folder${hint}`);
  }

  const { inspectCaptures } = await import('../inspector/index.js');
  let replays = 0;
  let failed = 0;
  const inspector = await inspectCaptures(paths, {
    cwd,
    follow: options.follow !== false,
    ...place,
    settings: { secrets, scheme: String(options.scheme ?? 'auto'), schemeOptions: schemeOptionsFrom(options), toleranceSeconds, ...(publicUrl ? { publicUrl } : {}) },
    defaultTarget,
    onAction(event) {
      if (event.action === 'replay') {
        replays++;
        if (!event.ok) failed++;
      }
      renderAction(output, event);
    },
  });
  const { opened } = inspector;
  if (opened.missing.length > 0) {
    // Removed between the check above and the read.
    await inspector.close();
    throw usageError(`${opened.missing.map((problem) => problem.source).join(', ')}: no such file or folder`);
  }

  // Before the URL is printed: whoever reads it may stop us right away.
  const interrupt = onInterrupt();
  const total = inspector.store.total;
  output.record({ type: 'inspecting', uiUrl: inspector.url, files: opened.files, deliveries: total, following: opened.following, verifying: secrets.length > 0 });
  output.line(`${output.color.bold('inspector on')} ${inspector.url}`);
  const ec = output.errColor;
  output.note(ec.dim(`${total.toLocaleString('en-US')} deliver${total === 1 ? 'y' : 'ies'} from ${opened.files.length} file${opened.files.length === 1 ? '' : 's'}${opened.following ? `; watching ${opened.following} for new ones` : ''}`));
  for (const problem of opened.problems) output.warn(`${problem.source}: ${problem.message}`);
  for (const file of opened.incomplete) output.warn(`${file} ends in an incomplete line (a write in progress, or torn by a crash): it is not shown`);
  output.note(
    ec.dim(
      secrets.length > 0
        ? `checking signatures with ${secrets.length} secret${secrets.length === 1 ? '' : 's'} as of each capture time; replays are re-signed with the first`
        : 'no secret: signatures are shown as captured; give --secret to check them and to re-sign replays and edits',
    ),
  );
  warnIfExposed(output, place.host, secrets.length > 0);
  output.note(ec.dim('the link carries an access token: open it as printed. Ctrl-C to stop'));

  await new Promise((resolve) => interrupt.signal.addEventListener('abort', resolve, { once: true }));
  await inspector.close();
  interrupt.dispose();
  output.record({ type: 'summary', replays, failed });
  return EXIT.ok;
}
