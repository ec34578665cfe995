import { Command, Option } from 'commander';
import { addJson, addSchemeOptions, addSecretOptions, collect, examples } from '../shared-options.js';
import { SCHEME_NAMES } from '../../schemes/names.js';
import { SCHEME_RULE, SECRET_NOTE } from '../scheme-rule.js';

export function verifyCommand(): Command {
  const command = new Command('verify')
    .description('check a signature and say exactly why it fails')
    .addOption(new Option('--scheme <name>', 'signature scheme, or auto to detect from the headers').choices(['auto', ...SCHEME_NAMES]).default('auto'))
    .addOption(new Option('-H, --header <"Name: value">', 'a request header; repeat for each').argParser(collect))
    .option('--data <text>', 'the body, as given (byte for byte)')
    .option('--file <path>', 'read the body from a file, or - for stdin')
    .option('--fixture <path>', "verify a captured fixture file (its headers and body); with --data/--file, verify that body instead (what your app says it got) and compare it with the captured bytes")
    .option('--tolerance <duration>', "allowed timestamp skew (default: the provider's documented tolerance, else 5m)")
    .option('--now <unix>', 'verify as if the time were this (Unix seconds), for old captures');
  addSecretOptions(command);
  addSchemeOptions(command);
  addJson(command);
  return command.addHelpText(
    'after',
    examples([
      `hookctl verify --secret-file .hookctl-secret -H "X-Hub-Signature-256: sha256=757107…" --data 'Hello, World!'`,
      `hookctl verify --scheme stripe --secret-file .stripe-secret -H "Stripe-Signature: t=…,v1=…" --file body.json`,
      `HOOKCTL_SECRET="$(cat .hookctl-secret)" hookctl verify --fixture fixtures/captured/20261123T101500000Z-000001.json --json`,
      `hookctl verify --secret-file .hookctl-secret --fixture fixtures/captured/20261123T101500000Z-000001.json --file what-the-app-verified.json   # names what the app's parser changed`,
    ]) + SCHEME_RULE + SECRET_NOTE,
  );
}
