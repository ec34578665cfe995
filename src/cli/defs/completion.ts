import { Argument, Command } from 'commander';
import { examples } from '../shared-options.js';

export function completionCommand(): Command {
  return new Command('completion')
    .description('print a shell completion script')
    .addArgument(new Argument('<shell>', 'shell to complete for').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      examples([
        'hookctl completion bash > ~/.local/share/bash-completion/completions/hookctl',
        'hookctl completion zsh > "${fpath[1]}/_hookctl"',
        'hookctl completion fish > ~/.config/fish/completions/hookctl.fish',
      ]),
    );
}
