/**
 * Taking one student's snapshot: scan the home into the blob store (walk, reuse what the last walk hashed, store
 * new bytes; see home-scan.ts), then record the manifest, all or nothing.
 *
 * Blobs are durable before the snapshot row is written, and the row and the new home index are written in one
 * transaction, so a crash leaves unreferenced blobs at worst, never a snapshot with missing bytes or half a
 * manifest.
 */
import { recordAudit } from '../audit/audit';
import type { BlobStore } from '../blobs/blob-store';
import type { Catalog } from '../catalog/catalog';
import { GroupCommit } from '../catalog/group-commit';
import type { Skipped } from '../homes/walk';
import { Limiter } from '../util/limiter';
import { type HomeScanner, InThreadScanner } from './scanner';

/** One captured file or symlink (symlinks have a null sha256: their targets are never read). */
export type { ManifestEntry } from '@coursework/client';
export { manifestDigest } from './home-scan';

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
  /** Scans homes into the store; the service's own thread when not given. */
  scanner?: HomeScanner;
  /** Homes scanned at once, across every job (default 4); students waiting for their rows do not count. */
  scanConcurrency?: number;
  now?: () => Date;
}

export class SnapshotTaker {
  private readonly now: () => Date;
  private readonly scanner: HomeScanner;
  private readonly scans: Limiter;
  private readonly commits: GroupCommit;

  constructor(
    private readonly db: Catalog,
    blobs: BlobStore,
    private readonly options: TakerOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.scanner = options.scanner ?? new InThreadScanner(blobs);
    this.scans = new Limiter(options.scanConcurrency ?? 4);
    this.commits = new GroupCommit(db);
  }

  async exists(courseId: string, student: string, name: string): Promise<boolean> {
    return (await this.existingAndIndex(courseId, student, name)).exists;
  }

  async take(request: TakeRequest): Promise<TakeResult> {
    const empty = { files: 0, bytes: 0, read: 0, newBlobs: 0, skipped: [] };
    const { exists, index: previous } = await this.existingAndIndex(request.courseId, request.student, request.name);
    if (exists) return { status: 'exists', ...empty };
    const scan = await this.scans.run(() =>
      this.scanner.scan({
        home: request.home,
        walk: {
          includeHidden: request.includeHidden,
          exclude: this.options.exclude,
          maxFileBytes: this.options.maxFileBytes,
          maxHomeBytes: this.options.maxHomeBytes,
        },
        previous,
      }),
    );
    if (scan === 'no-home') return { status: 'no-home', ...empty };
    const { files, bytes, skipped, index } = scan;
    const takenAt = this.now();
    const inserted = await this.commits.run(async (trx) => {
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
          file_count: files,
          bytes,
          manifest_sha256: scan.manifestSha256,
          manifest: scan.manifestJson,
          skipped: JSON.stringify(skipped),
        })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
      if (index) {
        const row = { walked_at_ns: index.walkedAtNs, entries: index.entries };
        await trx
          .insertInto('home_index')
          .values({ course_id: request.courseId, student: request.student, ...row })
          .onConflict((oc) => oc.columns(['course_id', 'student']).doUpdateSet(row))
          .execute();
      }
      await recordAudit(
        trx,
        {
          courseId: request.courseId,
          actor: request.actor,
          action: 'snapshot.taken',
          target: `${request.student}/${request.name}`,
          detail: { files, bytes, skipped: skipped.length, job: request.jobId },
        },
        takenAt,
      );
      return true;
    });
    if (!inserted) return { status: 'exists', ...empty };
    return { status: 'taken', files, bytes, read: scan.read, newBlobs: scan.newBlobs, skipped };
  }

  /** Whether the snapshot exists already, and the student's home index, in one query. */
  private async existingAndIndex(courseId: string, student: string, name: string) {
    const row = await this.db
      .selectNoFrom((eb) => [
        eb
          .selectFrom('snapshots')
          .select('id')
          .where('course_id', '=', courseId)
          .where('student', '=', student)
          .where('name', '=', name)
          .where('deleted_at', 'is', null)
          .as('existing'),
        eb.selectFrom('home_index').select('walked_at_ns').where('course_id', '=', courseId).where('student', '=', student).as('walked_at_ns'),
        eb.selectFrom('home_index').select('entries').where('course_id', '=', courseId).where('student', '=', student).as('entries'),
      ])
      .executeTakeFirstOrThrow();
    return {
      exists: row.existing !== null,
      index: row.walked_at_ns !== null && row.entries !== null ? { walkedAtNs: row.walked_at_ns, entries: row.entries } : null,
    };
  }
}
