/**
 * Why a file could not be read or written, in words: "no such file", not "(ENOENT)". Error codes
 * mean something to a programmer; the person at the terminal needs what to fix.
 */
const WHY: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  EBUSY: 'the file is busy',
};

/** "no such file", "permission denied"…; for an unknown code, Node's own words without the code and path. */
export function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && WHY[code]) return WHY[code]!;
  const message = error instanceof Error ? error.message : String(error);
  // "EXDEV: cross-device link not permitted, rename 'a' -> 'b'" -> "cross-device link not permitted"
  return message.replace(/^[A-Z][A-Z0-9_]+: /, '').replace(/, \w+ '.*$/, '') || 'unreadable';
}
