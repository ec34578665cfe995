import { InvalidArgumentError, type Command } from 'commander';

/** Edits between two words (insert, delete, substitute, swap two neighbours). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The closest of `candidates` to a mistyped `word`, as commander suggests commands and flags: at
 * most three edits and more alike than not; ties are all given. Undefined when nothing is close.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const typed = word.toLowerCase();
  let best: string[] = [];
  let bestDistance = 4;
  for (const candidate of candidates) {
    const edits = distance(typed, candidate.toLowerCase());
    const similarity = (Math.max(typed.length, candidate.length) - edits) / Math.max(typed.length, candidate.length);
    if (similarity <= 0.4 || edits > bestDistance) continue;
    if (edits < bestDistance) best = [];
    bestDistance = edits;
    best.push(candidate);
  }
  return best.length > 0 ? best.join(' or ') : undefined;
}

/** "Allowed choices are a, b, c (did you mean b?)." for a value that is not one of them. */
export function choicesMessage(value: string, choices: readonly string[]): string {
  const guess = didYouMean(value, choices);
  return `Allowed choices are ${choices.join(', ')}${guess ? ` (did you mean ${guess}?)` : ''}.`;
}

/** A flag or argument with a fixed set of values; commander's Option and Argument both fit. */
interface WithChoices {
  argChoices?: string[] | undefined;
  parseArg?: ((value: string, previous: unknown) => unknown) | undefined;
}

function suggestOn(target: WithChoices): void {
  const choices = target.argChoices;
  if (!choices) return;
  const parse = target.parseArg;
  target.parseArg = (value, previous) => {
    if (!choices.includes(value)) throw new InvalidArgumentError(choicesMessage(value, choices));
    return parse ? parse(value, previous) : value;
  };
}

/**
 * Gives every option and argument with a fixed set of values (--scheme, --encoding, a shell name)
 * a "did you mean" on a near miss, in every command at once, whoever defined it.
 */
export function suggestChoices(command: Command): void {
  for (const option of command.options) suggestOn(option as WithChoices);
  for (const argument of command.registeredArguments) suggestOn(argument as WithChoices);
  for (const sub of command.commands) suggestChoices(sub);
}
