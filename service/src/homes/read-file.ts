/**
 * Reading one file of a home into the blob store, without trusting anything the walk saw.
 *
 * Between the walk's lstat and this open, a student may have swapped the file for a symlink, a FIFO or another
 * file. The open refuses symlinks (O_NOFOLLOW) and never blocks (O_NONBLOCK, so a FIFO cannot hang it), and the
 * opened descriptor must still be the regular file the walk saw (same device and inode).
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { type BlobInfo, type BlobStore, SourceChangedError } from '../blobs/blob-store';
import type { WalkedFile } from './walk';

/** Files up to this size are read once into memory; larger ones are streamed twice (hash, then store if new). */
const IN_MEMORY_BYTES = 1024 * 1024;
const SAMPLE_BYTES = 64 * 1024;

export type ReadOutcome =
  | { ok: true; sha256: string; size: number; blob: BlobInfo; added: boolean }
  | { ok: false; reason: 'vanished' | 'unreadable' | 'changed' };

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

/** Hashes the file and stores its bytes unless the store has them already. */
export async function storeHomeFile(absolutePath: string, expected: WalkedFile, blobs: BlobStore): Promise<ReadOutcome> {
  const handle = await openExpected(absolutePath, expected);
  if (typeof handle === 'string') return { ok: false, reason: handle };
  try {
    if (expected.size <= IN_MEMORY_BYTES) {
      const bytes = await handle.readFile();
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const { info, added } = await blobs.putBuffer(sha256, bytes);
      return { ok: true, sha256, size: bytes.length, blob: info, added };
    }
    const { sha256, size, sample } = await hashStream(handle);
    const { info, added } = await blobs.put(sha256, size, sample, () =>
      handle.createReadStream({ start: 0, autoClose: false }),
    );
    return { ok: true, sha256, size, blob: info, added };
  } catch (error) {
    if (error instanceof SourceChangedError) return { ok: false, reason: 'changed' };
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EIO' || code === 'EISDIR') return { ok: false, reason: 'unreadable' };
    throw error;
  } finally {
    await handle.close();
  }
}
