/**
 * Garbage collection of the blob store: blobs that no live snapshot, no feedback file and no home index refers to
 * are deleted.
 *
 * Blobs are written before the rows that refer to them, so a blob without a reference may belong to a snapshot
 * still being taken. Only blobs untouched for a grace period are collected, and a snapshot that finds a blob
 * already stored touches it (BlobStore), so a collection never removes bytes a snapshot is about to record.
 * Stray temporary files of writes a crash interrupted are removed after the same grace period.
 */
import { lstat, rm } from 'node:fs/promises';
import type { Catalog } from '../catalog/catalog';
import type { BlobStore } from './blob-store';

export interface CollectResult {
  scanned: number;
  deleted: number;
  bytesFreed: number;
}

async function referencedBlobs(db: Catalog): Promise<Set<string>> {
  const referenced = new Set<string>();
  const snapshots = await db.selectFrom('snapshots').select('manifest').where('deleted_at', 'is', null).execute();
  for (const row of snapshots) {
    for (const entry of JSON.parse(row.manifest) as { sha256: string | null }[]) if (entry.sha256) referenced.add(entry.sha256);
  }
  // Every version of every feedback file, withdrawn or replaced ones too: released feedback is never lost.
  const feedback = await db.selectFrom('feedback_files').select('sha256').distinct().execute();
  for (const row of feedback) referenced.add(row.sha256);
  const indexes = await db.selectFrom('home_index').select('entries').execute();
  for (const row of indexes) {
    for (const entry of Object.values(JSON.parse(row.entries) as Record<string, { sha256: string }>)) referenced.add(entry.sha256);
  }
  return referenced;
}

export async function collectGarbage(db: Catalog, blobs: BlobStore, graceMs: number, now = Date.now()): Promise<CollectResult> {
  const referenced = await referencedBlobs(db);
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
