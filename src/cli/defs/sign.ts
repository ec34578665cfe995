import { Command, Option } from 'commander';
import { addJson, addSchemeOptions, addSecretOptions, examples } from '../shared-options.js';
import { SCHEME_NAMES } from '../../schemes/names.js';
import { SCHEME_RULE, SECRET_NOTE } from '../scheme-rule.js';

export function signCommand(): Command {
  const command = new Command('sign')
    .description('print the signature headers a provider would send for a body')
    .addOption(new Option('--scheme <name>', 'signature scheme (required: sign has no request to detect it from)').choices(SCHEME_NAMES).makeOptionMandatory())
    .option('--data <text>', 'the body, as given (byte for byte)')
    .option('--file <path>', 'read the body from a file, or - for stdin')
    .option('--timestamp <unix>', 'signature timestamp in Unix seconds (default: now)')
    .option('--id <id>', 'event/message id (default: a fresh one)')
    .option('--curl <url>', 'print a ready-to-run curl command posting the body to URL');
  addSecretOptions(command);
  addSchemeOptions(command);
  addJson(command);
  return command.addHelpText(
    'after',
    examples([
      `hookctl sign --scheme stripe --secret-file .stripe-secret --file event.json --json`,
      `HOOKCTL_SECRET="$STANDARD_WEBHOOK_SECRET" hookctl sign --scheme standard --data '{"a":1}' --curl http://127.0.0.1:8787/`,
      `hookctl sign --scheme github --secret "It's a Secret to Everybody" --data 'Hello, World!'   # GitHub's published test vector (not a secret)`,
      `hookctl sign --scheme discord --private-key discord.pem --data '{"type":1}'   # public-key providers (discord, telnyx, sendgrid, sns, plaid, pubsub)`,
    ]) + SCHEME_RULE + SECRET_NOTE,
  );
}
