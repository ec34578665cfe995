/** Exit codes of the CLI contract. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  interrupted: 130,
} as const;

/**
 * A problem the user can fix (bad flag, missing file, unreachable URL): printed as one clean line,
 * never with a stack. `exitCode` 2 means a usage error, 1 an operation that failed.
 */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.usage) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** A usage error: bad flag value, missing argument. Exit code 2. */
export function usageError(message: string): UserError {
  return new UserError(message, EXIT.usage);
}

/** An operation the user asked for could not be done (file missing, target dead). Exit code 1. */
export function failure(message: string): UserError {
  return new UserError(message, EXIT.failed);
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** Message of any thrown value, without a stack. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
