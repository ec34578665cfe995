/**
 * The one rule for --scheme's default, stated in the help of every command that has the flag:
 * `auto`. Commands that check signatures read the scheme from the request; commands that make
 * them take it from what they send.
 */
export const SCHEME_RULE =
  '\n--scheme auto, the default of every command: listen and verify detect the scheme from each\n' +
  "request's headers; send and replay use the scheme a fixture was captured with, and sign a new\n" +
  'event as standard (Standard Webhooks). Name a scheme to override either.\n';
