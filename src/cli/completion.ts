import type { Command, Option } from 'commander';

/** What completion needs to know of the command tree, read from commander so it never drifts. */
interface CommandSpec {
  path: string[];
  description: string;
  options: Array<{ flags: string[]; description: string; takesValue: boolean; choices: readonly string[] | undefined }>;
  subcommands: CommandSpec[];
}

function optionSpec(option: Option) {
  const flags = [option.long, option.short].filter((flag): flag is string => Boolean(flag));
  return { flags, description: option.description, takesValue: option.required || option.optional, choices: option.argChoices };
}

export function describe(command: Command, path: string[] = []): CommandSpec {
  return {
    path,
    description: command.description(),
    options: [...command.options.map(optionSpec), { flags: ['--help', '-h'], description: 'show help', takesValue: false, choices: undefined }],
    subcommands: command.commands.map((sub) => describe(sub, [...path, sub.name()])),
  };
}

function flatten(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.subcommands.flatMap(flatten)];
}

const singleQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export function bashCompletion(root: CommandSpec): string {
  const cases = flatten(root)
    .filter((spec) => spec.path.length > 0)
    .map((spec) => {
      const words = [...spec.options.flatMap((option) => option.flags), ...spec.subcommands.map((sub) => sub.path.at(-1)!)];
      return `    ${singleQuote(spec.path.join(' '))}) opts=${singleQuote(words.join(' '))} ;;`;
    });
  const choices = new Map<string, readonly string[]>();
  for (const spec of flatten(root)) for (const option of spec.options) if (option.choices) for (const flag of option.flags) choices.set(flag, [...new Set([...(choices.get(flag) ?? []), ...option.choices])]);
  const valueCases = [...choices].map(([flag, values]) => `    ${flag}) COMPREPLY=($(compgen -W ${singleQuote(values.join(' '))} -- "$cur")); return ;;`);
  const parents = flatten(root).filter((spec) => spec.path.length > 0 && spec.subcommands.length > 0).map((spec) => spec.path.join(' '));
  const commandNames = [...new Set(flatten(root).filter((spec) => spec.path.length > 0).map((spec) => spec.path.at(-1)!))];
  const topWords = [...root.subcommands.map((sub) => sub.path[0]!), ...root.options.flatMap((option) => option.flags)];
  return `# hookctl bash completion. Install: hookctl completion bash > ~/.local/share/bash-completion/completions/hookctl
_hookctl() {
  local cur prev path word i opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
${valueCases.join('\n')}
  esac
  path=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == -* ]] && continue
    case "$word" in
      ${commandNames.join('|')}) path="\${path:+$path }$word" ;;
    esac
  done
  case "$path" in
${cases.join('\n')}
    *) opts=${singleQuote(topWords.join(' '))} ;;
  esac
  if [[ "$cur" == -* || -z "$path" || " ${parents.join(' ')} " == *" $path "* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o default -F _hookctl hookctl
`;
}

const zshEscape = (text: string) => text.replace(/([\\'[\]:])/g, '\\$1');

export function zshCompletion(root: CommandSpec): string {
  const functions = flatten(root).map((spec) => {
    const name = ['_hookctl', ...spec.path].join('_').replace(/-/g, '_');
    const args = spec.options.map((option) => {
      const value = option.takesValue ? (option.choices ? `:value:(${option.choices.join(' ')})` : ':value:_files') : '';
      const flags = option.flags.length > 1 ? `{${option.flags.join(',')}}` : option.flags[0];
      return `    ${option.flags.length > 1 ? `'(${option.flags.join(' ')})'` : ''}${flags}'[${zshEscape(option.description)}]${value}'`;
    });
    if (spec.subcommands.length > 0) {
      const subs = spec.subcommands.map((sub) => `'${sub.path.at(-1)}:${zshEscape(sub.description)}'`).join(' ');
      return `${name}() {
  local line state
  _arguments -C \\
${args.join(' \\\n')} \\
    '1:command:->cmds' \\
    '*::arg:->args'
  case $state in
    cmds) _values 'command' ${subs} ;;
    args) case $line[1] in
${spec.subcommands.map((sub) => `      ${sub.path.at(-1)}) ${['_hookctl', ...sub.path].join('_').replace(/-/g, '_')} ;;`).join('\n')}
    esac ;;
  esac
}`;
    }
    return `${name}() {
  _arguments \\
${args.join(' \\\n')} \\
    '*:file:_files'
}`;
  });
  return `#compdef hookctl
# hookctl zsh completion. Install: hookctl completion zsh > "\${fpath[1]}/_hookctl"
${functions.join('\n\n')}

_hookctl "$@"
`;
}

export function fishCompletion(root: CommandSpec): string {
  const lines = ['# hookctl fish completion. Install: hookctl completion fish > ~/.config/fish/completions/hookctl.fish', 'complete -c hookctl -f'];
  const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  for (const spec of flatten(root)) {
    const condition =
      spec.path.length === 0 ? '__fish_use_subcommand' : `__fish_seen_subcommand_from ${spec.path.at(-1)}`;
    for (const sub of spec.subcommands) {
      lines.push(`complete -c hookctl -n ${quote(condition)} -a ${sub.path.at(-1)} -d ${quote(sub.description)}`);
    }
    for (const option of spec.options) {
      const parts = option.flags.map((flag) => (flag.startsWith('--') ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`));
      const value = option.takesValue ? (option.choices ? ` -x -a ${quote(option.choices.join(' '))}` : ' -r -F') : '';
      lines.push(`complete -c hookctl -n ${quote(condition)} ${parts.join(' ')}${value} -d ${quote(option.description)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
