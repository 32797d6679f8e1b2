/**
 * Garbage collection of the blob store: blobs that no live snapshot, no feedback file and no home index refers to
 * are deleted (the caller asks the snapshot and feedback catalogs which blobs they refer to).
 *
 * Blobs are written before the rows that refer to them, so a blob without a reference may belong to a snapshot
 * still being taken. Only blobs untouched for a grace period are collected, and a snapshot that finds a blob
 * already stored touches it (BlobStore), so a collection never removes bytes a snapshot is about to record.
 * Stray temporary files of writes a crash interrupted are removed after the same grace period.
 */
import { lstat, rm } from 'node:fs/promises';
import type { BlobStore } from './blob-store';

export interface CollectResult {
  scanned: number;
  deleted: number;
  bytesFreed: number;
}

/** Deletes the blobs not in `referenced` (what the catalog's owners say is in use) and older than the grace period. */
export async function collectGarbage(
  blobs: BlobStore,
  referenced: ReadonlySet<string>,
  graceMs: number,
  now = Date.now(),
): Promise<CollectResult> {
  const result: CollectResult = { scanned: 0, deleted: 0, bytesFreed: 0 };
  for await (const { name, path: file } of blobs.files()) {
    const stats = await lstat(file).catch(() => null);
    if (!stats?.isFile()) continue;
    const isTemp = name.startsWith('.tmp-');
    if (!isTemp) result.scanned++;
    if ((isTemp || !referenced.has(name)) && now - stats.mtimeMs > graceMs) {
      await rm(file, { force: true });
      if (!isTemp) {
        result.deleted++;
        result.bytesFreed += stats.size;
      }
    }
  }
  return result;
}
