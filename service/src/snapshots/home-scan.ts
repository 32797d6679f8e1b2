/**
 * The file-system half of taking a snapshot: walk the home, keep the hashes the home index vouches for, store
 * the bytes of the other files, and assemble the manifest and the next home index. It runs in a worker thread
 * in the service (one message per home), so that the service's thread only writes rows.
 *
 * Unchanged files are not read again: a file whose size, mtime, inode, ctime and device match the home index
 * reuses its hash, as git's index does, except when its mtime is not safely older than the previous walk
 * ("racy": a change within the same clock tick would be missed), which is hashed again.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ManifestEntry } from '@coursework/client';
import { type BlobStore, unsynced, type Unsynced } from '../blobs/blob-store';
import { storeHomeFile } from '../homes/read-file';
import { type Skipped, walkHome, type WalkedFile, type WalkOptions } from '../homes/walk';

/** What the index keeps of a file to know, at the next walk, that it did not change. */
export interface IndexedFile {
  size: number;
  mtimeNs: string;
  ino: string;
  ctimeNs: string;
  dev: string;
  sha256: string;
}

export interface ScanTask {
  home: string;
  walk: WalkOptions;
  /** The home index as stored (JSON text) and when its walk started; null before the first snapshot. */
  previous: { walkedAtNs: string; entries: string } | null;
}

export interface HomeScan {
  /** The manifest as it is stored (JSON text), and its SHA-256 (the receipt's digest). */
  manifestJson: string;
  manifestSha256: string;
  files: number;
  bytes: number;
  /** Files whose bytes were read (not reused from the index). */
  read: number;
  /** Blobs this scan added to the store. */
  newBlobs: number;
  skipped: Skipped[];
  /** The next home index (JSON text), or null when the previous one still holds. */
  index: { walkedAtNs: string; entries: string } | null;
  /** New blob files and their folders, to be made durable (BlobStore.syncAll) before a row refers to them. */
  unsynced: Unsynced;
}

/** Clock granularity margin for the racy check: NFS and some filesystems keep mtimes to the second or two. */
const RACY_MARGIN_NS = 2_000_000_000n;

const nsToIso = (ns: string) => new Date(Number(BigInt(ns) / 1_000_000n)).toISOString();

/** SHA-256 of the manifest as stored (its JSON text). */
export function manifestDigest(entries: readonly ManifestEntry[] | string): string {
  return createHash('sha256')
    .update(typeof entries === 'string' ? entries : JSON.stringify(entries))
    .digest('hex');
}

/**
 * Scans a home into the blob store. New blobs are written but not yet durable: the caller syncs `unsynced` before
 * it records anything, so that a scan's thread goes on to the next home meanwhile. `pace` runs before each folder is
 * listed and each file is read, to let other work in (the service's thread yields there; a worker need not).
 */
export async function scanHome(task: ScanTask, blobs: BlobStore, pace?: () => Promise<void>): Promise<HomeScan | 'no-home'> {
  const walkStartedNs = (BigInt(Date.now()) * 1_000_000n).toString();
  const walked = await walkHome(task.home, task.walk, pace);
  if (walked === 'no-home') return 'no-home';
  const previousEntries = task.previous ? (JSON.parse(task.previous.entries) as Record<string, IndexedFile>) : null;
  const racyFrom = task.previous ? BigInt(task.previous.walkedAtNs) - RACY_MARGIN_NS : 0n;
  const reusable = (file: WalkedFile): string | null => {
    const known = previousEntries?.[file.path];
    if (!known) return null;
    const same =
      known.size === file.size &&
      known.mtimeNs === file.mtimeNs &&
      known.ino === file.ino &&
      known.ctimeNs === file.ctimeNs &&
      known.dev === file.dev;
    return same && BigInt(file.mtimeNs) < racyFrom ? known.sha256 : null;
  };

  const skipped: Skipped[] = [...walked.skipped];
  const index: Record<string, IndexedFile> = {};
  const manifest: ManifestEntry[] = [];
  const dirty = unsynced();
  let read = 0;
  let newBlobs = 0;
  let bytes = 0;
  for (const entry of walked.entries) {
    if (entry.type === 'symlink') {
      manifest.push({ path: entry.path, type: 'symlink', size: 0, mode: entry.mode, mtime: nsToIso(entry.mtimeNs), sha256: null });
      continue;
    }
    let sha256 = reusable(entry);
    let size = entry.size;
    let changed = false;
    if (!sha256) {
      await pace?.();
      const outcome = await storeHomeFile(path.join(task.home, entry.path), entry, blobs, dirty);
      if (!outcome.ok) {
        skipped.push({ path: entry.path, reason: outcome.reason });
        continue;
      }
      read++;
      if (outcome.added) newBlobs++;
      sha256 = outcome.sha256;
      size = outcome.size;
      changed = outcome.changed;
    }
    bytes += size;
    const file: ManifestEntry = { path: entry.path, type: 'file', size, mode: entry.mode, mtime: nsToIso(entry.mtimeNs), sha256 };
    if (changed) {
      file.note = 'changed-while-reading';
    } else {
      // A file that changed while it was read is not vouched for by the index: the next walk reads it again.
      index[entry.path] = { size, mtimeNs: entry.mtimeNs, ino: entry.ino, ctimeNs: entry.ctimeNs, dev: entry.dev, sha256 };
    }
    manifest.push(file);
  }

  const files = manifest.filter((entry) => entry.type === 'file').length;
  const manifestJson = JSON.stringify(manifest);
  // An unchanged home (nothing read, nothing gone) keeps its index: rewriting it is most of the cost of a
  // re-snapshot. Its older walk time stays correct, as no file was recent enough to need reading.
  const unchanged = previousEntries !== null && read === 0 && Object.keys(previousEntries).length === Object.keys(index).length;
  return {
    manifestJson,
    manifestSha256: manifestDigest(manifestJson),
    files,
    bytes,
    read,
    newBlobs,
    skipped,
    index: unchanged ? null : { walkedAtNs: walkStartedNs, entries: JSON.stringify(index) },
    unsynced: dirty,
  };
}
