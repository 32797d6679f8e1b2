/** Reading snapshots back from the catalog, and removing them. */
import type { SnapshotSummary } from '@coursework/client';
import { recordAudit } from '../audit/audit';
import type { Catalog } from '../catalog/catalog';
import type { SnapshotsTable } from '../catalog/schema';
import type { Skipped } from '../homes/walk';
import type { ManifestEntry } from './take';

export type { SnapshotSummary };

export interface SnapshotDetail extends SnapshotSummary {
  skipped: Skipped[];
}

type Row = Pick<
  SnapshotsTable,
  'student' | 'name' | 'taken_at' | 'taken_by' | 'file_count' | 'bytes' | 'include_hidden' | 'manifest_sha256'
> & { damaged: string | null };

const SUMMARY_COLUMNS = ['student', 'name', 'taken_at', 'taken_by', 'file_count', 'bytes', 'include_hidden', 'manifest_sha256', 'damaged'] as const;

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

export type Lookup =
  | { found: 'live'; detail: SnapshotDetail; manifest: ManifestEntry[] }
  | { found: 'deleted'; deletedAt: string }
  | { found: 'none' };

export class SnapshotQueries {
  constructor(
    private readonly db: Catalog,
    private readonly courseId: string,
  ) {}

  async find(student: string, name: string): Promise<Lookup> {
    const live = await this.db
      .selectFrom('snapshots')
      .select([...SUMMARY_COLUMNS, 'manifest', 'skipped'])
      .where('course_id', '=', this.courseId)
      .where('student', '=', student)
      .where('name', '=', name)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (live) {
      return {
        found: 'live',
        detail: { ...summaryOf(live), skipped: JSON.parse(live.skipped) as Skipped[] },
        manifest: JSON.parse(live.manifest) as ManifestEntry[],
      };
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

  /** The live snapshots of one name, across students (optionally only some), by student. */
  async byName(name: string, students?: readonly string[]): Promise<{ summary: SnapshotSummary; manifest: ManifestEntry[] }[]> {
    let query = this.db
      .selectFrom('snapshots')
      .select([...SUMMARY_COLUMNS, 'manifest'])
      .where('course_id', '=', this.courseId)
      .where('name', '=', name)
      .where('deleted_at', 'is', null);
    if (students) query = query.where('student', 'in', students.length > 0 ? [...students] : ['']);
    const rows = await query.orderBy('student').execute();
    return rows.map((row) => ({ summary: summaryOf(row), manifest: JSON.parse(row.manifest) as ManifestEntry[] }));
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

/** Every live snapshot's manifest, across courses: what an integrity check verifies. */
export async function liveManifests(db: Catalog): Promise<{ id: number; courseId: string; student: string; name: string; manifest: ManifestEntry[]; damaged: string[] | null }[]> {
  const rows = await db.selectFrom('snapshots').select(['id', 'course_id', 'student', 'name', 'manifest', 'damaged']).where('deleted_at', 'is', null).execute();
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
  await db.updateTable('snapshots').set({ damaged: paths === null ? null : JSON.stringify(paths) }).where('id', '=', id).execute();
}
