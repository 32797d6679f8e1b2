/** The exchange_releases table: the assignments released through nbgrader's exchange, one live release each. */
import type { Catalog } from '../catalog/catalog';
import { prepareQuery } from '../catalog/prepared';
import type { ExchangeFile } from '../catalog/schema';
import { recordAudit } from '../audit/audit';

export interface ExchangeRelease {
  assignment: string;
  releasedAt: string;
  releasedBy: string;
  files: ExchangeFile[];
}

/** Every fetch and submission reads its release: compiled once. */
const selectLive = prepareQuery((db, p: { courseId: string; assignment: string }) =>
  db
    .selectFrom('exchange_releases')
    .selectAll()
    .where('course_id', '=', p.courseId)
    .where('deleted_at', 'is', null)
    .where('assignment_id', '=', p.assignment),
);

export class ExchangeReleases {
  constructor(
    private readonly db: Catalog,
    private readonly courseId: string,
  ) {}

  private live() {
    return this.db.selectFrom('exchange_releases').selectAll().where('course_id', '=', this.courseId).where('deleted_at', 'is', null);
  }

  /** The assignments released, by id. */
  async assignments(): Promise<string[]> {
    const rows = await this.live().orderBy('assignment_id').execute();
    return rows.map((row) => row.assignment_id);
  }

  async get(assignment: string): Promise<ExchangeRelease | undefined> {
    const row = (await selectLive(this.db, { courseId: this.courseId, assignment })).rows[0];
    return row && { assignment, releasedAt: row.released_at, releasedBy: row.released_by, files: JSON.parse(row.files) as ExchangeFile[] };
  }

  /** Records a release; false when the assignment is released already (one live release at a time). */
  async add(assignment: string, files: ExchangeFile[], by: string, at: Date): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('exchange_releases')
        .select('id')
        .where('course_id', '=', this.courseId)
        .where('assignment_id', '=', assignment)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (existing) return false;
      await trx
        .insertInto('exchange_releases')
        .values({
          course_id: this.courseId,
          assignment_id: assignment,
          released_at: at.toISOString(),
          released_by: by,
          files: JSON.stringify(files),
          deleted_at: null,
          deleted_by: null,
        })
        .execute();
      const detail = { files: files.map(({ path, sha256, size }) => ({ path, sha256, size })) };
      await recordAudit(trx, { courseId: this.courseId, actor: by, action: 'exchange.released', target: assignment, detail }, at);
      return true;
    });
  }

  /** Takes a release back (students can no longer fetch it); their submissions stay. False when there was none. */
  async remove(assignment: string, by: string, at: Date): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('exchange_releases')
        .set({ deleted_at: at.toISOString(), deleted_by: by })
        .where('course_id', '=', this.courseId)
        .where('assignment_id', '=', assignment)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await recordAudit(trx, { courseId: this.courseId, actor: by, action: 'exchange.unreleased', target: assignment, detail: {} }, at);
      return true;
    });
  }
}

/** Each file of each live release of a live course, for the store check. */
export async function releaseBlobReferences(
  db: Catalog,
  deletedCourses: readonly string[] = [],
): Promise<{ sha256: string; label: string }[]> {
  let query = db.selectFrom('exchange_releases').select(['course_id', 'assignment_id', 'files']).where('deleted_at', 'is', null);
  if (deletedCourses.length > 0) query = query.where('course_id', 'not in', deletedCourses);
  return (await query.execute()).flatMap((row) =>
    (JSON.parse(row.files) as ExchangeFile[]).map((file) => ({
      sha256: file.sha256,
      label: `exchange release ${row.course_id}/${row.assignment_id}: ${file.path}`,
    })),
  );
}
