/**
 * Periodic housekeeping: snapshots older than the retention period are deleted (as an instructor's deletion
 * would be, in the audit log as `retention`), then blobs nothing refers to any more are collected, then the store
 * is checked: every blob's length, and the hashes of a rolling slice of it (see integrity/check).
 */
import { collectGarbage } from '../blobs/collect';
import type { BlobStore } from '../blobs/blob-store';
import type { Catalog } from '../catalog/catalog';
import { checkStore } from './check';
import { CourseStore } from '../courses/store';
import type { Logger } from '../log';
import type { Leases } from '../replicas/leases';
import { blobsInUseByFeedback } from '../feedback/store';
import { releaseBlobReferences } from '../exchange/releases';
import { submissionBlobReferences } from '../exchange/submissions';
import { blobsInUseBySnapshots, SnapshotQueries } from '../snapshots/queries';

/** Unreferenced blobs younger than this are kept: they may belong to a snapshot being taken. */
export const BLOB_GRACE_MS = 60 * 60 * 1000;

/**
 * Every blob the catalog refers to: live snapshots, home indexes, every version of every feedback file, the live
 * exchange releases and every exchange submission, of the courses not deleted (a deleted course's blobs are
 * collected like any others nothing refers to).
 */
export async function blobsInUse(db: Catalog): Promise<Set<string>> {
  const deleted = await new CourseStore(db).deletedIds();
  const inUse = await blobsInUseBySnapshots(db, deleted);
  for (const sha256 of await blobsInUseByFeedback(db, deleted)) inUse.add(sha256);
  for (const { sha256 } of [...(await releaseBlobReferences(db, deleted)), ...(await submissionBlobReferences(db, deleted))])
    inUse.add(sha256);
  return inUse;
}

export interface HousekeepingOptions {
  /** The courses whose snapshots retention applies to: every live course. */
  courseIds: () => Promise<string[]>;
  /** 0 keeps snapshots for ever. */
  retentionDays: number;
  intervalMs: number;
  /** Bytes of blobs hashed per run, going on where the last run stopped. */
  checkBytesPerRun: number;
  homeTemplate: string;
  /** With several replicas: the one holding the `housekeeping` lease does it (see `start`). */
  leases?: Leases;
  now?: () => Date;
}

export class Housekeeping {
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => Date;
  /** The last blob the rolling check hashed. */
  private checkedUpTo = '';

  constructor(
    private readonly db: Catalog,
    private readonly blobs: BlobStore,
    private readonly options: HousekeepingOptions,
    private readonly log: Logger,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Runs every interval. With several replicas, only the one holding the `housekeeping` lease: held for one and a
   * half intervals and renewed by its holder at each run, so the others take over only once it has died.
   */
  start(): void {
    this.timer = setInterval(
      () => void this.runIfHeld().catch((error: unknown) => this.log.error({ err: error }, 'housekeeping failed')),
      this.options.intervalMs,
    );
    this.timer.unref();
  }

  /** Runs once if this replica holds (or takes) the housekeeping lease; whether it ran. */
  async runIfHeld(): Promise<boolean> {
    const { leases, intervalMs } = this.options;
    if (leases && !(await leases.acquire('housekeeping', intervalMs * 1.5))) return false;
    await this.runOnce();
    return true;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Snapshots past the retention period, deleted; returns how many. */
  async applyRetention(): Promise<number> {
    if (this.options.retentionDays <= 0) return 0;
    const now = this.now();
    const cutoff = new Date(now.getTime() - this.options.retentionDays * 24 * 3600 * 1000).toISOString();
    let count = 0;
    for (const courseId of await this.options.courseIds()) {
      const queries = new SnapshotQueries(this.db, courseId);
      const expired = await queries.takenBefore(cutoff);
      for (const { student, name } of expired) await queries.delete(student, name, 'retention', now);
      count += expired.length;
    }
    return count;
  }

  async runOnce(): Promise<void> {
    const expired = await this.applyRetention();
    // Read before the store is listed: a blob written after this read is younger than the grace period.
    const collected = await collectGarbage(this.blobs, await blobsInUse(this.db), BLOB_GRACE_MS, this.now().getTime());
    if (expired > 0 || collected.deleted > 0) this.log.info({ expired, ...collected }, 'housekeeping');
    const checked = await checkStore(this.db, this.blobs, {
      hash: { bytes: this.options.checkBytesPerRun, after: this.checkedUpTo },
      repair: true,
      homeTemplate: this.options.homeTemplate,
      now: this.now,
    });
    this.checkedUpTo = checked.hashedUpTo ?? '';
    for (const blob of checked.broken) {
      this.log.error(
        { blob: blob.sha256, problem: blob.problem, repairedFrom: blob.repairedFrom, neededBy: blob.neededBy.slice(0, 20) },
        'broken blob found by the store check',
      );
    }
  }
}
