/**
 * The bytes a command works on, from --data, a file, or stdin (--file -), byte for byte. Used by
 * send, sign and verify alike; a missing or unreadable file is a usage error naming the flag.
 */
import { readFile } from 'node:fs/promises';
import { usageError } from '../errors.js';
import { fileProblem } from './file-errors.js';

export interface BodyFlags {
  data?: string;
  file?: string;
}

async function readStdin(stdin: NodeJS.ReadableStream): Promise<Buffer> {
  if ((stdin as NodeJS.ReadStream).isTTY) throw usageError('--file -: stdin is a terminal; pipe the body in (e.g. < event.json)');
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

/** Reads a file for a flag, turning fs errors into one clear line. */
export async function readFileFor(flag: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw usageError(`${flag}: cannot read ${path} (${fileProblem(error)})`);
  }
}

/** The body from --data or --file (a path, or - for stdin), byte for byte; undefined when neither is given. */
export async function readBody(flags: BodyFlags, stdin: NodeJS.ReadableStream = process.stdin): Promise<Buffer | undefined> {
  if (flags.data !== undefined && flags.file !== undefined) throw usageError('--data and --file: give one or the other');
  if (flags.data !== undefined) return Buffer.from(flags.data, 'utf8');
  if (flags.file === undefined) return undefined;
  if (flags.file === '-') return readStdin(stdin);
  return readFileFor('--file', flags.file);
}
