/**
 * Taking one student's snapshot: walk the home, reuse what the last walk already hashed, store new bytes, and
 * record the manifest, all or nothing.
 *
 * Unchanged files are not read again: a file whose size, mtime, inode, ctime and device match the home index
 * reuses its hash, as git's index does, except when its mtime is not safely older than the previous walk
 * ("racy": a change within the same clock tick would be missed), which is hashed again. Blobs are written
 * before the snapshot row, and the row and the new index are written in one transaction, so a crash leaves
 * unreferenced blobs at worst, never a snapshot with missing bytes or half a manifest.
 */
import { createHash } from 'node:crypto';
import type { ManifestEntry } from '@coursework/client';
import path from 'node:path';
import { recordAudit } from '../audit/audit';
import type { BlobStore } from '../blobs/blob-store';
import type { Catalog } from '../catalog/catalog';
import { type Skipped, walkHome, type WalkedFile } from '../homes/walk';
import { type FileReader, InThreadReader } from './file-reader';

/** One captured file or symlink (symlinks have a null sha256: their targets are never read). */
export type { ManifestEntry } from '@coursework/client';

interface IndexEntry {
  size: number;
  mtimeNs: string;
  ino: string;
  ctimeNs: string;
  dev: string;
  sha256: string;
}

export interface TakeRequest {
  courseId: string;
  student: string;
  home: string;
  baseName: string;
  name: string;
  includeHidden: boolean;
  actor: string;
  jobId: string | null;
}

export type TakeStatus = 'taken' | 'exists' | 'no-home';

export interface TakeResult {
  status: TakeStatus;
  files: number;
  bytes: number;
  /** Files whose bytes were read (not reused from the index). */
  read: number;
  /** Blobs this snapshot added to the store. */
  newBlobs: number;
  skipped: Skipped[];
}

export interface TakerOptions {
  exclude: readonly string[];
  maxFileBytes: number;
  maxHomeBytes: number;
  /** Reads files into the store; the service's own thread when not given. */
  reader?: FileReader;
  now?: () => Date;
}

/** Clock granularity margin for the racy check: NFS and some filesystems keep mtimes to the second or two. */
const RACY_MARGIN_NS = 2_000_000_000n;

const nsToIso = (ns: string) => new Date(Number(BigInt(ns) / 1_000_000n)).toISOString();

/** SHA-256 of the manifest as stored (its JSON text). */
export function manifestDigest(entries: readonly ManifestEntry[] | string): string {
  return createHash('sha256').update(typeof entries === 'string' ? entries : JSON.stringify(entries)).digest('hex');
}

export class SnapshotTaker {
  private readonly now: () => Date;
  private readonly reader: FileReader;

  constructor(
    private readonly db: Catalog,
    private readonly blobs: BlobStore,
    private readonly options: TakerOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.reader = options.reader ?? new InThreadReader(blobs);
  }

  async exists(courseId: string, student: string, name: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('snapshots')
      .select('id')
      .where('course_id', '=', courseId)
      .where('student', '=', student)
      .where('name', '=', name)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  async take(request: TakeRequest): Promise<TakeResult> {
    const empty = { files: 0, bytes: 0, read: 0, newBlobs: 0, skipped: [] };
    if (await this.exists(request.courseId, request.student, request.name)) return { status: 'exists', ...empty };
    const walkStartedNs = (BigInt(Date.now()) * 1_000_000n).toString();
    const walked = await walkHome(request.home, {
      includeHidden: request.includeHidden,
      exclude: this.options.exclude,
      maxFileBytes: this.options.maxFileBytes,
      maxHomeBytes: this.options.maxHomeBytes,
    });
    if (walked === 'no-home') return { status: 'no-home', ...empty };
    const previous = await this.loadIndex(request.courseId, request.student);
    const skipped: Skipped[] = [...walked.skipped];
    const index: Record<string, IndexEntry> = {};
    let read = 0;
    let newBlobs = 0;

    // Files whose stat data matches the index keep their hash; the others are read (by the reader: worker
    // threads in the service) into the store.
    const toRead: WalkedFile[] = [];
    const known = new Map<string, string>();
    for (const entry of walked.entries) {
      if (entry.type !== 'file') continue;
      const hash = reusableHash(previous, entry);
      if (hash) known.set(entry.path, hash);
      else toRead.push(entry);
    }
    const batch = await this.reader.readAll(toRead.map((entry) => ({ absolutePath: path.join(request.home, entry.path), expected: entry })));
    const outcomes = new Map(toRead.map((entry, i) => [entry.path, batch.results[i]!]));
    const manifest = walked.entries.map((entry): ManifestEntry | null => {
      if (entry.type === 'symlink') {
        return { path: entry.path, type: 'symlink', size: 0, mode: entry.mode, mtime: nsToIso(entry.mtimeNs), sha256: null };
      }
      let sha256 = known.get(entry.path);
      let size = entry.size;
      if (!sha256) {
        const outcome = outcomes.get(entry.path)!;
        if (!outcome.ok) {
          skipped.push({ path: entry.path, reason: outcome.reason === 'changed' ? 'vanished' : outcome.reason });
          return null;
        }
        read++;
        if (outcome.added) newBlobs++;
        sha256 = outcome.sha256;
        size = outcome.size;
      }
      index[entry.path] = { size, mtimeNs: entry.mtimeNs, ino: entry.ino, ctimeNs: entry.ctimeNs, dev: entry.dev, sha256 };
      return { path: entry.path, type: 'file', size, mode: entry.mode, mtime: nsToIso(entry.mtimeNs), sha256 };
    });

    const entries = manifest.filter((e): e is ManifestEntry => e !== null);
    const files = entries.filter((e) => e.type === 'file');
    const bytes = files.reduce((sum, e) => sum + e.size, 0);
    // New blobs (and their directory entries) must be durable before a row refers to them.
    await this.blobs.syncAll(batch.dirty);
    const manifestJson = JSON.stringify(entries);
    // An unchanged home (nothing read, nothing gone) leaves its index as it is: rewriting it is most of the cost
    // of a re-snapshot. Its older walk time stays correct, as no file was recent enough to need reading.
    const indexUnchanged = previous !== null && toRead.length === 0 && Object.keys(previous.entries).length === Object.keys(index).length;
    const takenAt = this.now();
    const inserted = await this.db.transaction().execute(async (trx) => {
      const result = await trx
        .insertInto('snapshots')
        .values({
          course_id: request.courseId,
          student: request.student,
          name: request.name,
          base_name: request.baseName,
          taken_at: takenAt.toISOString(),
          taken_by: request.actor,
          job_id: request.jobId,
          include_hidden: request.includeHidden ? 1 : 0,
          file_count: files.length,
          bytes,
          manifest_sha256: manifestDigest(manifestJson),
          manifest: manifestJson,
          skipped: JSON.stringify(skipped),
        })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
      if (!indexUnchanged) {
        const indexJson = JSON.stringify(index);
        await trx
          .insertInto('home_index')
          .values({ course_id: request.courseId, student: request.student, walked_at_ns: walkStartedNs, entries: indexJson })
          .onConflict((oc) => oc.columns(['course_id', 'student']).doUpdateSet({ walked_at_ns: walkStartedNs, entries: indexJson }))
          .execute();
      }
      await recordAudit(
        trx,
        {
          courseId: request.courseId,
          actor: request.actor,
          action: 'snapshot.taken',
          target: `${request.student}/${request.name}`,
          detail: { files: files.length, bytes, skipped: skipped.length, job: request.jobId },
        },
        takenAt,
      );
      return true;
    });
    if (!inserted) return { status: 'exists', ...empty };
    return { status: 'taken', files: files.length, bytes, read, newBlobs, skipped };
  }

  private async loadIndex(courseId: string, student: string): Promise<{ walkedAtNs: bigint; entries: Record<string, IndexEntry> } | null> {
    const row = await this.db
      .selectFrom('home_index')
      .select(['walked_at_ns', 'entries'])
      .where('course_id', '=', courseId)
      .where('student', '=', student)
      .executeTakeFirst();
    return row ? { walkedAtNs: BigInt(row.walked_at_ns), entries: JSON.parse(row.entries) as Record<string, IndexEntry> } : null;
  }
}

function reusableHash(previous: { walkedAtNs: bigint; entries: Record<string, IndexEntry> } | null, file: WalkedFile): string | null {
  const known = previous?.entries[file.path];
  if (!previous || !known) return null;
  const same =
    known.size === file.size &&
    known.mtimeNs === file.mtimeNs &&
    known.ino === file.ino &&
    known.ctimeNs === file.ctimeNs &&
    known.dev === file.dev;
  const racy = BigInt(file.mtimeNs) >= previous.walkedAtNs - RACY_MARGIN_NS;
  return same && !racy ? known.sha256 : null;
}
