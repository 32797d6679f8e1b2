/**
 * The snapshot catalog: every query of the `snapshots` and `home_index` tables lives here (a test keeps it so), for
 * taking snapshots, reading them back, removing them, and what blob collection and the store check need of them.
 */
import type { SnapshotSummary } from '@coursework/client';
import type { Transaction } from 'kysely';
import { recordAudit } from '../audit/audit';
import type { Catalog } from '../catalog/catalog';
import { prepareQuery } from '../catalog/prepared';
import type { CatalogSchema, SnapshotsTable } from '../catalog/schema';
import type { Skipped } from '../homes/walk';
import type { IndexedFile } from './home-scan';
import { ManifestCache } from './manifest-cache';
import type { ManifestEntry } from '@coursework/client';

export type { SnapshotSummary };

export interface SnapshotDetail extends SnapshotSummary {
  skipped: Skipped[];
}

type Row = Pick<
  SnapshotsTable,
  'student' | 'name' | 'taken_at' | 'taken_by' | 'file_count' | 'bytes' | 'include_hidden' | 'manifest_sha256'
> & { damaged: string | null };

const SUMMARY_COLUMNS = [
  'student',
  'name',
  'taken_at',
  'taken_by',
  'file_count',
  'bytes',
  'include_hidden',
  'manifest_sha256',
  'damaged',
] as const;

export function summaryOf(row: Row): SnapshotSummary {
  const summary: SnapshotSummary = {
    student: row.student,
    name: row.name,
    takenAt: row.taken_at,
    takenBy: row.taken_by,
    files: row.file_count,
    bytes: row.bytes,
    includeHidden: row.include_hidden === 1,
    manifestSha256: row.manifest_sha256,
  };
  if (row.damaged !== null) summary.damaged = JSON.parse(row.damaged) as string[];
  return summary;
}

/** Students whose manifests a course zip reads at a time. */
const MANIFEST_PAGE = 50;

export type Lookup =
  | { found: 'live'; detail: SnapshotDetail; manifest: readonly ManifestEntry[] }
  | { found: 'deleted'; deletedAt: string }
  | { found: 'none' };

export class SnapshotQueries {
  constructor(
    private readonly db: Catalog,
    private readonly courseId: string,
    /** Shared by the courses of the service; without one, each read parses its manifest. */
    private readonly manifests: ManifestCache = new ManifestCache(0),
  ) {}

  /** Snapshots of the course not deleted. */
  async countLive(): Promise<number> {
    const row = await this.db
      .selectFrom('snapshots')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('course_id', '=', this.courseId)
      .where('deleted_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async find(student: string, name: string): Promise<Lookup> {
    const live = await this.db
      .selectFrom('snapshots')
      .select([...SUMMARY_COLUMNS, 'id', 'skipped'])
      .where('course_id', '=', this.courseId)
      .where('student', '=', student)
      .where('name', '=', name)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    // The manifest is read (and parsed) only when the cache does not hold it; deleted in between, it is not found.
    const manifest =
      live &&
      (await this.manifests.get(live.manifest_sha256, async () => {
        const row = await this.db
          .selectFrom('snapshots')
          .select('manifest')
          .where('id', '=', live.id)
          .where('deleted_at', 'is', null)
          .executeTakeFirst();
        return row?.manifest;
      }));
    if (live && manifest) {
      return { found: 'live', detail: { ...summaryOf(live), skipped: JSON.parse(live.skipped) as Skipped[] }, manifest };
    }
    const deleted = await this.db
      .selectFrom('snapshots')
      .select('deleted_at')
      .where('course_id', '=', this.courseId)
      .where('student', '=', student)
      .where('name', '=', name)
      .where('deleted_at', 'is not', null)
      .orderBy('deleted_at', 'desc')
      .executeTakeFirst();
    return deleted ? { found: 'deleted', deletedAt: deleted.deleted_at! } : { found: 'none' };
  }

  /** A student's live snapshots, newest first. */
  async listForStudent(student: string, offset: number, limit: number): Promise<{ items: SnapshotSummary[]; total: number }> {
    const base = this.db
      .selectFrom('snapshots')
      .where('course_id', '=', this.courseId)
      .where('student', '=', student)
      .where('deleted_at', 'is', null);
    const { total } = await base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const rows = await base.select(SUMMARY_COLUMNS).orderBy('taken_at', 'desc').orderBy('name').offset(offset).limit(limit).execute();
    return { items: rows.map(summaryOf), total: Number(total) };
  }

  /** Every student's live snapshots, by student and newest first (an overview of the course in a few reads). */
  async listAll(offset: number, limit: number): Promise<{ items: SnapshotSummary[]; total: number }> {
    const base = this.db.selectFrom('snapshots').where('course_id', '=', this.courseId).where('deleted_at', 'is', null);
    const { total } = await base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const rows = await base
      .select(SUMMARY_COLUMNS)
      .orderBy('student')
      .orderBy('taken_at', 'desc')
      .orderBy('name')
      .offset(offset)
      .limit(limit)
      .execute();
    return { items: rows.map(summaryOf), total: Number(total) };
  }

  /** The live snapshots of one name, of `students` only when given. */
  private liveOfName(name: string, students?: readonly string[]) {
    const query = this.db
      .selectFrom('snapshots')
      .where('course_id', '=', this.courseId)
      .where('name', '=', name)
      .where('deleted_at', 'is', null);
    return students ? query.where('student', 'in', students.length > 0 ? [...students] : ['']) : query;
  }

  /** The students (optionally only among `students`) with a live snapshot of this name, in order. */
  async studentsWithSnapshot(name: string, students?: readonly string[]): Promise<string[]> {
    const rows = await this.liveOfName(name, students).select('student').orderBy('student').execute();
    return rows.map((row) => row.student);
  }

  /**
   * The manifests of the live snapshots of one name (optionally only some students'), by student, read `pageSize`
   * students at a time as the caller goes on: a whole course's manifests are never held at once.
   */
  async *manifestsByName(
    name: string,
    students?: readonly string[],
    pageSize = MANIFEST_PAGE,
  ): AsyncGenerator<{ student: string; manifest: ManifestEntry[] }> {
    let after: string | null = null;
    for (;;) {
      let query = this.liveOfName(name, students).select(['student', 'manifest']);
      if (after !== null) query = query.where('student', '>', after);
      const rows = await query.orderBy('student').limit(pageSize).execute();
      for (const row of rows) yield { student: row.student, manifest: JSON.parse(row.manifest) as ManifestEntry[] };
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]!.student;
    }
  }

  /** When each of these students' latest live snapshot was taken (students without one are absent). */
  async latestTakenAt(students: readonly string[]): Promise<Map<string, string>> {
    if (students.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('snapshots')
      .select('student')
      .select((eb) => eb.fn.max('taken_at').as('latest'))
      .where('course_id', '=', this.courseId)
      .where('deleted_at', 'is', null)
      .where('student', 'in', [...students])
      .groupBy('student')
      .execute();
    return new Map(rows.map((row) => [row.student, row.latest as string]));
  }

  /** Whether the student has a live snapshot of this name. */
  async exists(student: string, name: string): Promise<boolean> {
    return (await this.live(student, name).select('id').executeTakeFirst()) !== undefined;
  }

  /** Which students have a live snapshot of which of these names (`student\0name`), in one query. */
  async liveByNames(names: readonly string[]): Promise<Set<string>> {
    if (names.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('snapshots')
      .select(['student', 'name'])
      .where('course_id', '=', this.courseId)
      .where('name', 'in', [...new Set(names)])
      .where('deleted_at', 'is', null)
      .execute();
    return new Set(rows.map((row) => `${row.student}\0${row.name}`));
  }

  /** What a job needs to know of a live snapshot: which job took it, and its counts. */
  async takenBy(
    student: string,
    name: string,
  ): Promise<{ jobId: string | null; files: number; bytes: number; skipped: number } | undefined> {
    const row = await this.live(student, name).select(['job_id', 'file_count', 'bytes', 'skipped']).executeTakeFirst();
    return row && { jobId: row.job_id, files: row.file_count, bytes: row.bytes, skipped: (JSON.parse(row.skipped) as unknown[]).length };
  }

  /**
   * The latest snapshot, deleted or not, of each student and each of `names` (keyed `student\0name`), in one query:
   * the receipts of deadline captures, for one student or a whole class.
   */
  async latestByName(
    names: readonly string[],
  ): Promise<Map<string, Pick<SnapshotSummary, 'name' | 'takenAt' | 'files' | 'bytes' | 'manifestSha256'>>> {
    const latest = new Map<string, Pick<SnapshotSummary, 'name' | 'takenAt' | 'files' | 'bytes' | 'manifestSha256'>>();
    if (names.length === 0) return latest;
    const rows = await this.db
      .selectFrom('snapshots')
      .select(['student', 'name', 'taken_at', 'file_count', 'bytes', 'manifest_sha256'])
      .where('course_id', '=', this.courseId)
      .where('name', 'in', [...new Set(names)])
      .orderBy('id')
      .execute();
    for (const row of rows) {
      latest.set(`${row.student}\0${row.name}`, {
        name: row.name,
        takenAt: row.taken_at,
        files: row.file_count,
        bytes: row.bytes,
        manifestSha256: row.manifest_sha256,
      });
    }
    return latest;
  }

  /** Live snapshots taken before `cutoff` (ISO time), for retention. */
  async takenBefore(cutoff: string): Promise<{ student: string; name: string }[]> {
    return this.db
      .selectFrom('snapshots')
      .select(['student', 'name'])
      .where('course_id', '=', this.courseId)
      .where('deleted_at', 'is', null)
      .where('taken_at', '<', cutoff)
      .execute();
  }

  private live(student: string, name: string) {
    return this.db
      .selectFrom('snapshots')
      .where('course_id', '=', this.courseId)
      .where('student', '=', student)
      .where('name', '=', name)
      .where('deleted_at', 'is', null);
  }

  /** Marks a snapshot deleted (it then answers 410) and lets go of its manifest, so its blobs can be collected. */
  async delete(student: string, name: string, actor: string, now = new Date()): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('snapshots')
        .set({ deleted_at: now.toISOString(), deleted_by: actor, manifest: '[]' })
        .where('course_id', '=', this.courseId)
        .where('student', '=', student)
        .where('name', '=', name)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await recordAudit(trx, { courseId: this.courseId, actor, action: 'snapshot.deleted', target: `${student}/${name}` }, now);
      return true;
    });
  }
}

/** Every live snapshot's manifest, across courses (but `deletedCourses`): what an integrity check verifies. */
export async function liveManifests(
  db: Catalog,
  deletedCourses: readonly string[] = [],
): Promise<{ id: number; courseId: string; student: string; name: string; manifest: ManifestEntry[]; damaged: string[] | null }[]> {
  let query = db
    .selectFrom('snapshots')
    .select(['id', 'course_id', 'student', 'name', 'manifest', 'damaged'])
    .where('deleted_at', 'is', null);
  if (deletedCourses.length > 0) query = query.where('course_id', 'not in', deletedCourses);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    courseId: row.course_id,
    student: row.student,
    name: row.name,
    manifest: JSON.parse(row.manifest) as ManifestEntry[],
    damaged: row.damaged === null ? null : (JSON.parse(row.damaged) as string[]),
  }));
}

/** Names the files of a snapshot whose bytes are damaged beyond repair (null: whole again). */
export async function markSnapshotDamaged(db: Catalog, id: number, paths: string[] | null): Promise<void> {
  await db
    .updateTable('snapshots')
    .set({ damaged: paths === null ? null : JSON.stringify(paths) })
    .where('id', '=', id)
    .execute();
}

// The statements of every student of a snapshot job, prepared (see prepared.ts), and run by SnapshotTaker.

/** What taking a student's snapshot needs to know first: whether it exists already, and the home's last index. */
export interface ExistingAndIndex {
  exists: boolean;
  index: { walkedAtNs: string; entries: string } | null;
}

/** Whether the snapshot `name` exists for each of `students`, and their home indexes: two queries for them all. */
export async function existingAndIndexes(
  db: Catalog,
  courseId: string,
  name: string,
  students: readonly string[],
): Promise<Map<string, ExistingAndIndex>> {
  const existing = await db
    .selectFrom('snapshots')
    .select('student')
    .where('course_id', '=', courseId)
    .where('name', '=', name)
    .where('student', 'in', students)
    .where('deleted_at', 'is', null)
    .execute();
  const indexes = await db
    .selectFrom('home_index')
    .select(['student', 'walked_at_ns', 'entries'])
    .where('course_id', '=', courseId)
    .where('student', 'in', students)
    .execute();
  const taken = new Set(existing.map((row) => row.student));
  const indexOf = new Map(indexes.map((row) => [row.student, { walkedAtNs: row.walked_at_ns, entries: row.entries }]));
  return new Map(students.map((student) => [student, { exists: taken.has(student), index: indexOf.get(student) ?? null }]));
}

/** The columns of a new snapshot row. */
export type SnapshotFields = {
  courseId: string;
  student: string;
  name: string;
  baseName: string;
  takenAt: string;
  takenBy: string;
  jobId: string | null;
  includeHidden: number;
  files: number;
  bytes: number;
  manifestSha256: string;
  manifest: string;
  skipped: string;
};

const snapshotRow = (r: SnapshotFields) => ({
  course_id: r.courseId,
  student: r.student,
  name: r.name,
  base_name: r.baseName,
  taken_at: r.takenAt,
  taken_by: r.takenBy,
  job_id: r.jobId,
  include_hidden: r.includeHidden,
  file_count: r.files,
  bytes: r.bytes,
  manifest_sha256: r.manifestSha256,
  manifest: r.manifest,
  skipped: r.skipped,
});

/** A snapshot row to record, with the home index its scan left (null: the previous one still holds). */
export type SnapshotRecord = SnapshotFields & {
  index: { walkedAtNs: string; entries: string } | null;
};

/**
 * Records many students' snapshots and their new home indexes in one statement each; answers, per record, whether
 * it was recorded (false: a live snapshot of that name existed already). Run inside the caller's transaction.
 */
export async function recordSnapshots(trx: Transaction<CatalogSchema>, records: readonly SnapshotRecord[]): Promise<boolean[]> {
  const inserted = await trx
    .insertInto('snapshots')
    .values(records.map(snapshotRow))
    .onConflict((oc) => oc.doNothing())
    .returning(['course_id', 'student', 'name'])
    .execute();
  const key = (courseId: string, student: string, name: string) => `${courseId}\0${student}\0${name}`;
  const recorded = new Set(inserted.map((row) => key(row.course_id, row.student, row.name)));
  // Two records of one name for one student in a batch: the first was recorded, the other found it there.
  const done = records.map((r) => recorded.delete(key(r.courseId, r.student, r.name)));
  // One index per home: the last of the batch wins (a statement may not update one row twice).
  const indexes = new Map<string, { course_id: string; student: string; walked_at_ns: string; entries: string }>();
  records.forEach((r, i) => {
    if (done[i] && r.index) {
      indexes.set(`${r.courseId}\0${r.student}`, {
        course_id: r.courseId,
        student: r.student,
        walked_at_ns: r.index.walkedAtNs,
        entries: r.index.entries,
      });
    }
  });
  if (indexes.size > 0) {
    await trx
      .insertInto('home_index')
      .values([...indexes.values()])
      .onConflict((oc) =>
        oc.columns(['course_id', 'student']).doUpdateSet((eb) => ({
          walked_at_ns: eb.ref('excluded.walked_at_ns'),
          entries: eb.ref('excluded.entries'),
        })),
      )
      .execute();
  }
  return done;
}

export const insertSnapshot = prepareQuery((db, p: SnapshotFields) =>
  db
    .insertInto('snapshots')
    .values(snapshotRow(p))
    .onConflict((oc) => oc.doNothing()),
);

/** Where each stored hash was last seen in a home, by the home indexes: the sources a damaged blob is repaired from. */
export async function homeIndexSources(db: Catalog): Promise<Map<string, { student: string; path: string; entry: IndexedFile }[]>> {
  const sources = new Map<string, { student: string; path: string; entry: IndexedFile }[]>();
  const rows = await db.selectFrom('home_index').select(['student', 'entries']).execute();
  for (const row of rows) {
    for (const [path, entry] of Object.entries(JSON.parse(row.entries) as Record<string, IndexedFile>)) {
      let list = sources.get(entry.sha256);
      if (!list) sources.set(entry.sha256, (list = []));
      list.push({ student: row.student, path, entry });
    }
  }
  return sources;
}

/** Every blob a live snapshot or a home index refers to, across courses: what blob collection must keep. */
export async function blobsInUseBySnapshots(db: Catalog, deletedCourses: readonly string[] = []): Promise<Set<string>> {
  const referenced = new Set<string>();
  let live = db.selectFrom('snapshots').select('manifest').where('deleted_at', 'is', null);
  if (deletedCourses.length > 0) live = live.where('course_id', 'not in', deletedCourses);
  const snapshots = await live.execute();
  for (const row of snapshots) {
    for (const entry of JSON.parse(row.manifest) as { sha256: string | null }[]) if (entry.sha256) referenced.add(entry.sha256);
  }
  let indexQuery = db.selectFrom('home_index').select('entries');
  if (deletedCourses.length > 0) indexQuery = indexQuery.where('course_id', 'not in', deletedCourses);
  const indexes = await indexQuery.execute();
  for (const row of indexes) {
    for (const entry of Object.values(JSON.parse(row.entries) as Record<string, { sha256: string }>)) referenced.add(entry.sha256);
  }
  return referenced;
}
