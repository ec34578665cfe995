import type { Output } from '../cli/output.js';
import type { AppAnswer } from '../delivery/app-refusal.js';
import { printable } from '../text/printable.js';

type Paint = Pick<Output['color'], 'dim' | 'yellow'> & Partial<Pick<Output['color'], 'bold'>>;

/**
 * The app's answer to a forward it refused, as extra lines under the forward's line (listen and
 * worker alike): the start of its body, with --verbose the headers that tell what answered, and the
 * hint when it reads like a failed signature check.
 */
export function appAnswerLines(c: Paint, { app, hint }: { app?: AppAnswer; hint?: string }, verbose: boolean): string {
  if (!app) return '';
  const body = printable(app.body.replace(/\s+/g, ' ').trim(), 160);
  let text = `\n    ${c.dim(`app answered ${app.status}${body ? ':' : ''}`)} ${body}`;
  if (verbose && Object.keys(app.headers).length > 0) {
    text += `\n    ${(c.bold ?? c.dim)("app's answer headers")}`;
    for (const [name, value] of Object.entries(app.headers)) text += `\n      ${c.dim(`${name}:`)} ${printable(value, 120)}`;
  }
  if (hint) text += `\n    ${c.yellow('hint:')} ${hint}`;
  return text;
}
