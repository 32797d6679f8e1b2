/**
 * Taking one student's snapshot: scan the home into the blob store (walk, reuse what the last walk hashed, store
 * new bytes; see home-scan.ts), then record the manifest, all or nothing.
 *
 * Blobs are durable before the snapshot row is written, and the row and the new home index are written in one
 * transaction, so a crash leaves unreferenced blobs at worst, never a snapshot with missing bytes or half a
 * manifest. The catalog is asked and written for many students at once (the lookups of students that start
 * together share a query, the rows of students that finish together share a transaction and its statements), which
 * keeps a whole-course re-snapshot to a few dozen round trips to the catalog.
 */
import { recordAudits } from '../audit/audit';
import type { BlobStore } from '../blobs/blob-store';
import type { Catalog } from '../catalog/catalog';
import { BatchCommit } from '../catalog/group-commit';
import type { Skipped } from '../homes/walk';
import { Limiter } from '../util/limiter';
import { LookupBatch } from '../util/lookup-batch';
import type { HomeScan } from './home-scan';
import { type ExistingAndIndex, existingAndIndexes, recordSnapshots, type SnapshotRecord } from './queries';
import { type HomeScanner, InThreadScanner } from './scanner';

/** One captured file or symlink (symlinks have a null sha256: their targets are never read). */
export type { ManifestEntry } from '@coursework/client';

export interface TakeRequest {
  courseId: string;
  student: string;
  home: string;
  baseName: string;
  name: string;
  includeHidden: boolean;
  /** Glob patterns never taken, instead of the taker's own (a course's). */
  exclude?: readonly string[];
  actor: string;
  jobId: string | null;
}

export type TakeStatus = 'taken' | 'exists' | 'no-home' | 'not-taken';

export interface TakeResult {
  status: TakeStatus;
  files: number;
  bytes: number;
  /** Files whose bytes were read (not reused from the index). */
  read: number;
  /** Blobs this snapshot added to the store. */
  newBlobs: number;
  skipped: Skipped[];
  /** Why the home was not taken (`not-taken`: the data disk is below its free-space floor). */
  reason?: string;
}

export interface TakerOptions {
  exclude: readonly string[];
  maxFileBytes: number;
  maxHomeBytes: number;
  /** Scans homes into the store; the service's own thread when not given. */
  scanner?: HomeScanner;
  /** Homes scanned at once, across every job (default 4); students waiting for their rows do not count. */
  scanConcurrency?: number;
  /** Why the data disk is too full to take a home, or null; asked when the home's turn to be scanned comes. */
  lowSpace?: () => string | null;
  now?: () => Date;
}

export class SnapshotTaker {
  private readonly now: () => Date;
  private readonly scanner: HomeScanner;
  private readonly scans: Limiter;
  private readonly commits: BatchCommit<{ record: SnapshotRecord; actor: string; skipped: number }, boolean>;
  private readonly lookups: LookupBatch<ExistingAndIndex>;

  constructor(
    db: Catalog,
    private readonly blobs: BlobStore,
    private readonly options: TakerOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.scanner = options.scanner ?? new InThreadScanner(blobs);
    this.scans = new Limiter(options.scanConcurrency ?? 4);
    this.commits = new BatchCommit(db, async (trx, items) => {
      const recorded = await recordSnapshots(
        trx,
        items.map((item) => item.record),
      );
      await recordAudits(
        trx,
        items
          .filter((_, i) => recorded[i])
          .map(({ record, actor, skipped }) => ({
            event: {
              courseId: record.courseId,
              actor,
              action: 'snapshot.taken' as const,
              target: `${record.student}/${record.name}`,
              detail: { files: record.files, bytes: record.bytes, skipped, job: record.jobId },
            },
            at: new Date(record.takenAt),
          })),
      );
      return recorded;
    });
    this.lookups = new LookupBatch((group, students) => {
      const [courseId, name] = JSON.parse(group) as [string, string];
      return existingAndIndexes(db, courseId, name, students);
    });
  }

  async take(request: TakeRequest): Promise<TakeResult> {
    const empty = { files: 0, bytes: 0, read: 0, newBlobs: 0, skipped: [] };
    const { exists, index: previous } = await this.existingAndIndex(request.courseId, request.student, request.name);
    if (exists) return { status: 'exists', ...empty };
    const scan = await this.scans.run((): Promise<HomeScan | 'no-home' | { notTaken: string }> => {
      const low = this.options.lowSpace?.();
      if (low) return Promise.resolve({ notTaken: low });
      return this.scanner.scan({
        home: request.home,
        walk: {
          includeHidden: request.includeHidden,
          exclude: request.exclude ?? this.options.exclude,
          maxFileBytes: this.options.maxFileBytes,
          maxHomeBytes: this.options.maxHomeBytes,
        },
        previous,
      });
    });
    if (scan === 'no-home') return { status: 'no-home', ...empty };
    if ('notTaken' in scan) return { status: 'not-taken', ...empty, reason: scan.notTaken };
    // New blobs (and their folder entries) must be durable before a row refers to them. This thread does it, out
    // of the scan's slot, so that the scanning thread is not held up by fsyncs.
    await this.blobs.syncAll(scan.unsynced);
    const { files, bytes, skipped, index } = scan;
    const takenAt = this.now();
    const inserted = await this.commits.run({
      actor: request.actor,
      skipped: skipped.length,
      record: {
        courseId: request.courseId,
        student: request.student,
        name: request.name,
        baseName: request.baseName,
        takenAt: takenAt.toISOString(),
        takenBy: request.actor,
        jobId: request.jobId,
        includeHidden: request.includeHidden ? 1 : 0,
        files,
        bytes,
        manifestSha256: scan.manifestSha256,
        manifest: scan.manifestJson,
        skipped: JSON.stringify(skipped),
        index,
      },
    });
    if (!inserted) return { status: 'exists', ...empty };
    return { status: 'taken', files, bytes, read: scan.read, newBlobs: scan.newBlobs, skipped };
  }

  /** Whether the snapshot exists already, and the student's home index (asked together with other students'). */
  private async existingAndIndex(courseId: string, student: string, name: string): Promise<ExistingAndIndex> {
    return (await this.lookups.get(JSON.stringify([courseId, name]), student)) ?? { exists: false, index: null };
  }
}
