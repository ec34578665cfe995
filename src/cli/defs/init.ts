import { Command, Option } from 'commander';
import { examples } from '../shared-options.js';
import { SCHEME_NAMES } from '../../schemes/names.js';

export function initCommand(): Command {
  return new Command('init')
    .description('write a starter hookctl.config.json, a test secret and a fixtures folder')
    .addOption(new Option('--scheme <name>', 'the provider you are wiring').choices(SCHEME_NAMES))
    .option('--port <n>', 'port for hookctl listen')
    .option('--forward-to <url>', 'your app\'s webhook URL, for listen --forward-to')
    .option('--secret-file <path>', 'where the test secret lives (generated if missing)', '.hookctl-secret')
    .option('--fixtures <dir>', 'fixtures folder to create', 'fixtures')
    .option('--force', 'overwrite an existing config file')
    .option('-y, --yes', 'do not ask, use flags and defaults (the default without a TTY)')
    .option('--dry-run', 'show what would be written, write nothing')
    .addHelpText(
      'after',
      examples([
        'hookctl init                                  # asks on a TTY',
        'hookctl init --scheme stripe --port 4000 --forward-to http://127.0.0.1:3000/webhooks --yes',
      ]),
    );
}
