/**
 * What `ps` shows. Any local user can list every process's command line, and `--secret`,
 * `--forward-secret` and passwords in URLs were there verbatim. Linux lets a process rewrite it:
 * setting process.title overwrites the memory /proc/<pid>/cmdline (and so ps) reads. It cannot
 * hide what was visible between exec and this code (a few tens of ms), so the help steers users to
 * --secret-file and HOOKCTL_SECRET, which never appear there.
 */

/** Flags whose next argument (or `=value`) is a secret. */
const SECRET_FLAGS = ['--secret', '--forward-secret'];
const MASK = '***';
/** `scheme://user:password@`: the password part. */
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*):[^/?#@]*@/i;

/** The arguments with secrets masked, or undefined when there is nothing to mask. */
export function maskSecretArguments(args: readonly string[]): string[] | undefined {
  let masked = false;
  const out = args.map((arg, index) => {
    const previous = args[index - 1];
    if (previous !== undefined && SECRET_FLAGS.includes(previous)) {
      masked = true;
      return MASK;
    }
    const flag = SECRET_FLAGS.find((name) => arg.startsWith(`${name}=`));
    if (flag) {
      masked = true;
      return `${flag}=${MASK}`;
    }
    const url = arg.indexOf('://') >= 0 ? arg.replace(/^(--[a-z-]+=)?(.*)$/s, (_all, prefix: string | undefined, rest: string) => (prefix ?? '') + rest.replace(URL_PASSWORD, `$1:${MASK}@`)) : arg;
    if (url !== arg) masked = true;
    return url;
  });
  return masked ? out : undefined;
}

/** Rewrites the process title when the command line holds a secret; leaves it alone otherwise. */
export function hideSecretsFromProcessTitle(argv: readonly string[] = process.argv): void {
  const masked = maskSecretArguments(argv.slice(2));
  if (masked) process.title = ['hookctl', ...masked].join(' ');
}
