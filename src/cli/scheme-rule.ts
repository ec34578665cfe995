/**
 * The one rule for --scheme's default, stated in the help of every command that has the flag.
 * Commands that check signatures read the scheme from the request; commands that make them take
 * it from what they send; sign has neither, so it asks.
 */
export const SCHEME_RULE =
  '\n--scheme auto is the default wherever there is something to read the scheme from: listen and\n' +
  "verify detect it from each request's headers; send and replay use the scheme a fixture was\n" +
  'captured with, and standard (Standard Webhooks) for a new event. sign has nothing to read it\n' +
  'from, so it needs --scheme. Name a scheme to override any of these.\n';

/** Where a secret goes in the examples: a --secret value shows in ps (until hookctl hides it) and in shell history. */
export const SECRET_NOTE =
  '\nSecrets: --secret-file PATH or HOOKCTL_SECRET keep a secret out of ps and shell history; a\n' +
  '--secret value stays in shell history, and shows in ps until hookctl rewrites its process title.\n';
