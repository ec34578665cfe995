import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandContext } from '../cli/context.js';
import { EXIT, failure } from '../errors.js';
import { applyPlan, planInit, type InitAnswers } from '../init/plan.js';
import { parseInteger, parseUrl } from '../options/units.js';
import { SCHEME_NAMES } from '../schemes/registry.js';

async function ask(defaults: InitAnswers): Promise<InitAnswers> {
  const { select, input } = await import('@inquirer/prompts');
  const scheme = await select({
    message: 'Which provider are you wiring?',
    choices: SCHEME_NAMES.map((name) => ({ value: name, name })),
    default: (defaults.scheme ?? 'stripe') as (typeof SCHEME_NAMES)[number],
  });
  const port = await input({
    message: 'Port for hookctl listen',
    default: String(defaults.port ?? 8787),
    validate: (value) => /^\d+$/.test(value) && Number(value) < 65536 ? true : 'a port number, 0-65535',
  });
  const forwardTo = await input({
    message: "Your app's webhook URL (empty: don't forward)",
    default: defaults.forwardTo ?? '',
    validate: (value) => {
      if (value === '') return true;
      try {
        parseUrl(value, 'forward-to');
        return true;
      } catch (error) {
        return (error as Error).message;
      }
    },
  });
  return { ...defaults, scheme, port: Number(port), forwardTo: forwardTo || undefined };
}

export async function run({ options, output, cwd }: CommandContext): Promise<number> {
  let answers: InitAnswers = {
    scheme: options.scheme,
    port: options.port !== undefined ? parseInteger(options.port, '--port', { min: 0, max: 65535 }) : undefined,
    forwardTo: options.forwardTo !== undefined ? parseUrl(options.forwardTo, '--forward-to').toString() : undefined,
    secretFile: options.secretFile,
    fixtures: options.fixtures,
  };
  if (existsSync(join(cwd, 'hookctl.config.json')) && !options.force && !options.dryRun) {
    throw failure('hookctl.config.json already exists here; pass --force to overwrite it (your secret file and fixtures are kept)');
  }
  if (!options.yes && process.stdin.isTTY && output.stderr.isTTY) {
    try {
      answers = await ask(answers);
    } catch (error) {
      // Ctrl-C at a prompt: nothing is written yet.
      if ((error as Error)?.name === 'ExitPromptError') {
        output.note('cancelled; nothing written');
        return EXIT.interrupted;
      }
      throw error;
    }
  }

  const plan = await planInit(cwd, answers);
  if (options.dryRun) {
    for (const file of plan) output.line(`would write ${file.path}${file.keepExisting ? ' (kept if it exists)' : ''}`);
    return EXIT.ok;
  }
  const results = await applyPlan(cwd, plan);
  const c = output.color;
  for (const result of results) output.line(result.written ? `${c.green('wrote')} ${result.path}` : `${c.dim('kept ')} ${result.path}`);
  output.note('');
  output.note(`${answers.secretFile} holds a test secret and is listed in .gitignore. Next:`);
  output.note('  hookctl listen');
  output.note(`  hookctl send http://127.0.0.1:${answers.port ?? 8787}/${answers.scheme ? ` --scheme ${answers.scheme}` : ''}`);
  return EXIT.ok;
}
