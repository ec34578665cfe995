import { Option, type Command } from 'commander';

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function addJson(command: Command): Command {
  return command.option('--json', 'machine-readable output: NDJSON records on stdout, everything else on stderr');
}

/**
 * --secret (repeatable), --secret-file (repeatable); HOOKCTL_SECRET is read in resolveSecrets. A
 * secret on the command line lands in shell history and, until hookctl hides it, in `ps`: the help
 * says so and offers the two ways that do not.
 */
export function addSecretOptions(command: Command, what = 'secret to sign/verify with'): Command {
  return command
    .addOption(new Option('--secret <value>', `${what}; repeat for rotation. Prefer --secret-file or HOOKCTL_SECRET: a value here is kept in shell history and shows briefly in ps`).argParser(collect))
    .addOption(new Option('--secret-file <path>', 'read the secret from a file (one trailing newline is ignored); repeatable').argParser(collect))
    .option('--private-key <file>', 'public-key providers (discord, telnyx, sendgrid, sns, plaid, pubsub): the private key to sign with, PEM (Ed25519 also as a hex or base64 seed)')
    .addOption(new Option('--public-key <file>', "asymmetric schemes: the public key or certificate to verify with, PEM or the provider's form (Discord's hex key, SendGrid's base64 key); repeatable").argParser(collect));
}

/** Flags of the configurable schemes: legacy GitHub sha1 and the generic hmac scheme. */
export function addSchemeOptions(command: Command): Command {
  return command
    .option('--legacy-sha1', 'github: also sign/accept the legacy X-Hub-Signature (sha1) header')
    .option('--signature-header <name>', 'hmac: header carrying the signature (default X-Signature)')
    .addOption(new Option('--algorithm <name>', 'hmac: digest').choices(['sha1', 'sha256', 'sha512']))
    .addOption(new Option('--encoding <name>', 'hmac: signature encoding').choices(['hex', 'base64']))
    .option('--prefix <text>', 'hmac: text before the signature, e.g. "sha256="')
    .option('--url <url>', 'twilio, square, hubspot: the public URL the provider posts to (it is part of the signature)');
}

export function addDeliveryOptions(command: Command, defaultSchedule = '0,5s,30s,5m'): Command {
  return command
    .option('--retries <n>', 'retry at most N times; past the end of the schedule its last delay repeats (default: as many as the schedule has)')
    .option('--retry-schedule <list>', `wait before each attempt (default ${defaultSchedule}), or a preset: default (0,5s,30s,5m), standard (Standard Webhooks/Svix, with jitter), none`)
    .option('--no-retry', 'one attempt only')
    .option('--time-scale <factor>', 'multiply every retry delay and Retry-After, e.g. 0.001 to run a long schedule in seconds')
    .option('--retry-jitter <fraction>', 'move each retry wait randomly by up to this fraction, up or down (default 0.2 for the default and preset schedules, 0 for a list you give; 0: exact waits)')
    .option('--timeout <duration>', 'per-attempt timeout: connecting, the answer and its body (default 10s)')
    .option('--max-retry-after <duration>', "longest Retry-After honoured; a receiver's longer ask is cut to it, and the output says so (default 10m; 0 ignores Retry-After)");
}

/** Examples block for --help. */
export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}
