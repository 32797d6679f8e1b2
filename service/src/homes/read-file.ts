/**
 * Reading one file of a home into the blob store, without trusting anything the walk saw.
 *
 * Between the walk's lstat and this open, a student may have swapped the file for a symlink, a FIFO or another
 * file. The open refuses symlinks (O_NOFOLLOW) and never blocks (O_NONBLOCK, so a FIFO cannot hang it), and the
 * opened descriptor must still be the regular file the walk saw (same device and inode).
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { type BlobStore, SourceChangedError, type Unsynced } from '../blobs/blob-store';
import type { WalkedFile } from './walk';

/**
 * Files up to this size are read once into memory with synchronous calls; larger ones are streamed twice (hash,
 * then store if new) without blocking the event loop.
 */
const IN_MEMORY_BYTES = 8 * 1024 * 1024;
const SAMPLE_BYTES = 64 * 1024;

export type ReadOutcome =
  /** `changed`: the file kept changing while it was read; what is stored is one complete read of it. */
  { ok: true; sha256: string; size: number; added: boolean; changed: boolean } | { ok: false; reason: 'vanished' | 'unreadable' };

/**
 * Reads of a file that changes while it is read, before the last complete read is kept as it is (as tar and
 * restic do: a deadline capture must never lack a file that exists because a process was writing to it).
 */
const READ_ATTEMPTS = 3;

async function openExpected(absolutePath: string, expected: WalkedFile): Promise<FileHandle | 'vanished' | 'unreadable'> {
  let handle: FileHandle;
  try {
    handle = await open(absolutePath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ELOOP: it became a symlink since the walk.
    return code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR' ? 'vanished' : 'unreadable';
  }
  const stats = await handle.stat({ bigint: true });
  if (!stats.isFile() || stats.ino.toString() !== expected.ino || stats.dev.toString() !== expected.dev) {
    await handle.close();
    return 'vanished';
  }
  return handle;
}

async function hashStream(handle: FileHandle): Promise<{ sha256: string; size: number; sample: Buffer }> {
  const hash = createHash('sha256');
  let size = 0;
  const sampleParts: Buffer[] = [];
  let sampled = 0;
  for await (const chunk of handle.createReadStream({ start: 0, autoClose: false }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
    if (sampled < SAMPLE_BYTES) {
      sampleParts.push(chunk.subarray(0, SAMPLE_BYTES - sampled));
      sampled += Math.min(chunk.length, SAMPLE_BYTES - sampled);
    }
  }
  return { sha256: hash.digest('hex'), size, sample: Buffer.concat(sampleParts) };
}

/**
 * The buffer small files are read into. The synchronous path uses it from read to stored blob without yielding,
 * so one buffer serves every read: allocating a fresh one per file would leave hundreds of MB of garbage (and of
 * resident memory) after a whole-course snapshot.
 */
let scratch = Buffer.allocUnsafe(0);

/**
 * Reads a small file with synchronous calls (see BlobStore.putBufferSync for why), with the same checks. The read
 * is `changed` when the file's size or mtime moved while it was read (it may be torn).
 */
function readSmallSync(
  absolutePath: string,
  expected: WalkedFile,
): { bytes: Buffer; changed: boolean } | 'vanished' | 'unreadable' | 'large' {
  let fd: number;
  try {
    fd = openSync(absolutePath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR' ? 'vanished' : 'unreadable';
  }
  try {
    const stats = fstatSync(fd, { bigint: true });
    if (!stats.isFile() || stats.ino.toString() !== expected.ino || stats.dev.toString() !== expected.dev) return 'vanished';
    if (stats.size > BigInt(IN_MEMORY_BYTES)) return 'large';
    // One byte more than the size: a file that grew since fstat is read in full on the slower path.
    if (scratch.length < Number(stats.size) + 1) scratch = Buffer.allocUnsafe(Math.max(Number(stats.size) + 1, 64 * 1024));
    const buffer = scratch.subarray(0, Number(stats.size) + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, length);
      if (n === 0) break;
      length += n;
      if (length === buffer.length) return 'large';
    }
    const after = fstatSync(fd, { bigint: true });
    const changed = after.size !== stats.size || after.mtimeNs !== stats.mtimeNs || BigInt(length) !== stats.size;
    return { bytes: buffer.subarray(0, length), changed };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EIO' || code === 'EISDIR') return 'unreadable';
    throw error;
  } finally {
    closeSync(fd);
  }
}

/**
 * Hashes the file and stores its bytes unless the store has them already. New blobs (either way) are
 * added to `dirty`, to be made durable by the caller before it records the snapshot.
 */
export async function storeHomeFile(absolutePath: string, expected: WalkedFile, blobs: BlobStore, dirty: Unsynced): Promise<ReadOutcome> {
  const small = storeSmallFileSync(absolutePath, expected, blobs, dirty);
  return small === 'large' ? storeLargeFile(absolutePath, expected, blobs, dirty) : small;
}

/** The synchronous path, for files up to IN_MEMORY_BYTES; 'large' for the others (and for files that grew). */
export function storeSmallFileSync(absolutePath: string, expected: WalkedFile, blobs: BlobStore, dirty: Unsynced): ReadOutcome | 'large' {
  if (expected.size > IN_MEMORY_BYTES) return 'large';
  for (let attempt = 1; ; attempt++) {
    // `bytes` is a view of the shared scratch buffer: used synchronously below, never kept.
    const read = readSmallSync(absolutePath, expected);
    if (read === 'vanished' || read === 'unreadable') return { ok: false, reason: read };
    if (read === 'large') return 'large';
    if (read.changed && attempt < READ_ATTEMPTS) continue;
    const sha256 = createHash('sha256').update(read.bytes).digest('hex');
    const { added } = blobs.putBufferSync(sha256, read.bytes, dirty);
    return { ok: true, sha256, size: read.bytes.length, added, changed: read.changed };
  }
}

/**
 * The streaming path: hashed in one pass, stored (if new) in a second, never blocking the event loop. When the two
 * passes disagree the file is read again; the last attempt keeps its second pass, hashed as it was stored.
 */
export async function storeLargeFile(absolutePath: string, expected: WalkedFile, blobs: BlobStore, dirty: Unsynced): Promise<ReadOutcome> {
  const handle = await openExpected(absolutePath, expected);
  if (typeof handle === 'string') return { ok: false, reason: handle };
  try {
    for (let attempt = 1; ; attempt++) {
      const { sha256, size, sample } = await hashStream(handle);
      try {
        const last = attempt === READ_ATTEMPTS;
        const stored = await blobs.put(sha256, size, sample, () => handle.createReadStream({ start: 0, autoClose: false }), dirty, {
          keepChanged: last,
        });
        return { ok: true, sha256: stored.info.sha256, size: stored.info.size, added: stored.added, changed: stored.changed };
      } catch (error) {
        if (!(error instanceof SourceChangedError)) throw error;
      }
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EIO' || code === 'EISDIR') return { ok: false, reason: 'unreadable' };
    throw error;
  } finally {
    await handle.close();
  }
}
