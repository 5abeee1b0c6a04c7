// Reading a file's header for checking: bounded reads at offsets, and one error type for everything that
// is wrong with a file (an MlxError "load: <file>: <what>").
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { MlxError } from '@mlxts/native';

/**
 * The most tensors, and metadata entries, one file may hold. Each becomes an MLX array and a JS object
 * (a few kilobytes, tens of microseconds): past this, a small file could make a load take minutes and
 * gigabytes. Model files hold hundreds to a few thousand tensors and a few dozen metadata entries.
 */
export const MAX_ENTRIES = 100_000;

/** A file opened for checking: its descriptor, size and the name it is reported under. */
export interface OpenFile {
  readonly fd: number;
  readonly size: number;
  /** The path as the caller gave it. */
  readonly name: string;
}

/** An MlxError of `op` about `file`: "load: model.gguf: <problem>". */
export function fileError(op: string, file: string, problem: string): MlxError {
  return new MlxError(`${op}: ${file}: ${problem}`, op);
}

/** Opens `file` for reading; a missing file, a directory or an unreadable one is an MlxError. */
export function openFile(op: string, file: string): OpenFile {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw fileError(op, file, systemMessage(error));
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw fileError(op, file, 'is a directory, not a file');
    if (!stat.isFile()) throw fileError(op, file, 'is not a regular file');
    return { fd, size: stat.size, name: file };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

export function closeFile(file: OpenFile): void {
  closeSync(file.fd);
}

/**
 * The `length` bytes at `offset`. The caller has checked the range against the file's size; a shorter
 * read means the file changed while it was being checked.
 */
export function readAt(op: string, file: OpenFile, offset: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const got = readSync(file.fd, out, done, length - done, offset + done);
    if (got === 0) throw fileError(op, file.name, 'ended while it was being read (was it changed meanwhile?)');
    done += got;
  }
  return out;
}

/** "needs 1.2 GB, more than MLX's memory limit of 0.5 GB" when `bytes` is over the limit, else undefined. */
export function overMemoryLimit(bytes: number | bigint, limit: number): string | undefined {
  if (BigInt(bytes) <= BigInt(Math.floor(limit))) return undefined;
  const gb = (b: number | bigint) => `${(Number(b) / 1e9).toFixed(1)} GB`;
  return `needs ${gb(bytes)}, more than MLX's memory limit of ${gb(limit)}`;
}

function systemMessage(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory, not a file';
  return error instanceof Error ? error.message : String(error);
}
