/**
 * Feedback in the catalog: released versions of files per student and assignment.
 *
 * A release adds files and replaces files of the same path; the replaced version stays in the history. A
 * withdrawal hides the current version (kept too). Students see a file from its release time on; until then
 * instructors may move the time or withdraw it. Nothing is ever deleted, so nothing released is lost.
 */
import type { FeedbackAssignmentSummary, FeedbackVersion, HomeDelivery, MyFeedbackAssignment, StudentFeedback } from '@coursework/client';
import type { Selectable } from 'kysely';
import { recordAudit } from '../audit/audit';
import type { Catalog } from '../catalog/catalog';
import type { FeedbackFilesTable } from '../catalog/schema';

export type FeedbackRow = Selectable<FeedbackFilesTable>;

export interface ReleasedFile {
  path: string;
  sha256: string;
  size: number;
  /** Where in the home it is to be written, or null for no delivery. */
  homePath: string | null;
}

export interface ReleaseInput {
  student: string;
  assignment: string;
  files: ReleasedFile[];
  by: string;
  releaseAt: Date;
  /** An already completed delivery (the seed's upload writes before it records). */
  delivered?: HomeDelivery;
}

export function versionOf(row: FeedbackRow, now: Date): FeedbackVersion {
  return {
    path: row.path,
    size: row.size,
    sha256: row.sha256,
    releaseAt: row.release_at,
    released: row.release_at <= now.toISOString() && row.withdrawn_at === null,
    releasedBy: row.released_by,
    createdAt: row.created_at,
    replacedAt: row.replaced_at,
    withdrawnAt: row.withdrawn_at,
    withdrawnBy: row.withdrawn_by,
    homePath: row.home_path,
    delivery: row.delivery === null ? null : (JSON.parse(row.delivery) as HomeDelivery),
  };
}

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

export class FeedbackStore {
  constructor(
    private readonly db: Catalog,
    private readonly courseId: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Feedback files of the course not withdrawn (released, scheduled or replaced). */
  async countLive(): Promise<number> {
    const row = await this.db
      .selectFrom('feedback_files')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('course_id', '=', this.courseId)
      .where('withdrawn_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private current() {
    return this.db
      .selectFrom('feedback_files')
      .selectAll()
      .where('course_id', '=', this.courseId)
      .where('replaced_at', 'is', null)
      .where('withdrawn_at', 'is', null);
  }

  /** Records a release atomically: every file of it, or none. */
  async release(input: ReleaseInput): Promise<FeedbackVersion[]> {
    const stamp = this.now().toISOString();
    const releaseAt = input.releaseAt.toISOString();
    const ids = await this.db.transaction().execute(async (trx) => {
      const inserted: number[] = [];
      for (const file of input.files) {
        await trx
          .updateTable('feedback_files')
          .set({ replaced_at: stamp })
          .where('course_id', '=', this.courseId)
          .where('student', '=', input.student)
          .where('assignment', '=', input.assignment)
          .where('path', '=', file.path)
          .where('replaced_at', 'is', null)
          .where('withdrawn_at', 'is', null)
          .execute();
        const row = await trx
          .insertInto('feedback_files')
          .values({
            course_id: this.courseId,
            student: input.student,
            assignment: input.assignment,
            path: file.path,
            sha256: file.sha256,
            size: file.size,
            released_by: input.by,
            created_at: stamp,
            release_at: releaseAt,
            home_path: file.homePath,
            delivered_at: input.delivered ? input.delivered.at : null,
            delivery: input.delivered ? JSON.stringify(input.delivered) : null,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        inserted.push(row.id);
      }
      await recordAudit(trx, {
        courseId: this.courseId,
        actor: input.by,
        action: 'feedback.released',
        target: `${input.student}/${input.assignment}`,
        detail: { files: input.files.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size })), releaseAt },
      });
      return inserted;
    });
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('feedback_files').selectAll().where('id', 'in', ids).execute();
    return rows.map((row) => versionOf(row, this.now())).sort(byPath);
  }

  /** The assignments a student has feedback for, as instructors see them. */
  async summaries(student: string): Promise<FeedbackAssignmentSummary[]> {
    const rows = await this.current().where('student', '=', student).execute();
    const now = this.now().toISOString();
    const byAssignment = new Map<string, FeedbackAssignmentSummary>();
    for (const row of rows) {
      let summary = byAssignment.get(row.assignment);
      if (!summary) {
        summary = { assignment: row.assignment, files: 0, bytes: 0, released: 0, pending: 0, nextReleaseAt: null };
        byAssignment.set(row.assignment, summary);
      }
      summary.files++;
      summary.bytes += row.size;
      if (row.release_at <= now) summary.released++;
      else {
        summary.pending++;
        if (summary.nextReleaseAt === null || row.release_at < summary.nextReleaseAt) summary.nextReleaseAt = row.release_at;
      }
    }
    return [...byAssignment.values()].sort((a, b) => a.assignment.localeCompare(b.assignment));
  }

  /** Current files and history of one student's feedback for one assignment; undefined when there never was any. */
  async detail(student: string, assignment: string): Promise<StudentFeedback | undefined> {
    const rows = await this.db
      .selectFrom('feedback_files')
      .selectAll()
      .where('course_id', '=', this.courseId)
      .where('student', '=', student)
      .where('assignment', '=', assignment)
      .orderBy('id', 'desc')
      .execute();
    if (rows.length === 0) return undefined;
    const now = this.now();
    const isCurrent = (row: FeedbackRow) => row.replaced_at === null && row.withdrawn_at === null;
    return {
      student,
      assignment,
      files: rows
        .filter(isCurrent)
        .map((row) => versionOf(row, now))
        .sort(byPath),
      // Most recently replaced or withdrawn first.
      history: rows
        .filter((row) => !isCurrent(row))
        .sort((a, b) => (b.replaced_at ?? b.withdrawn_at ?? '').localeCompare(a.replaced_at ?? a.withdrawn_at ?? '') || b.id - a.id)
        .map((row) => versionOf(row, now)),
    };
  }

  /** The current version of a file, released or not (instructors). */
  async currentFile(student: string, assignment: string, path: string): Promise<FeedbackRow | undefined> {
    return this.current().where('student', '=', student).where('assignment', '=', assignment).where('path', '=', path).executeTakeFirst();
  }

  /** What the student sees: current files whose release time has come. */
  /** The student's released feedback in this course, by assignment (the API adds the course). */
  async visible(student: string): Promise<{ items: Omit<MyFeedbackAssignment, 'course'>[] }> {
    const rows = await this.current()
      .where('student', '=', student)
      .where('release_at', '<=', this.now().toISOString())
      .orderBy('assignment')
      .orderBy('path')
      .execute();
    const items: Omit<MyFeedbackAssignment, 'course'>[] = [];
    for (const row of rows) {
      let item = items.at(-1);
      if (item?.assignment !== row.assignment) {
        item = { assignment: row.assignment, releasedAt: row.release_at, files: [] };
        items.push(item);
      }
      if (row.release_at > item.releasedAt) item.releasedAt = row.release_at;
      item.files.push({ path: row.path, size: row.size, sha256: row.sha256, releasedAt: row.release_at });
    }
    return { items };
  }

  async visibleFile(student: string, assignment: string, path: string): Promise<FeedbackRow | undefined> {
    const row = await this.currentFile(student, assignment, path);
    return row && row.release_at <= this.now().toISOString() ? row : undefined;
  }

  /** Withdraws the current files of one student's assignment (or one of them); returns how many. */
  async withdraw(student: string, assignment: string, path: string | undefined, by: string): Promise<number> {
    const stamp = this.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      let update = trx
        .updateTable('feedback_files')
        .set({ withdrawn_at: stamp, withdrawn_by: by })
        .where('course_id', '=', this.courseId)
        .where('student', '=', student)
        .where('assignment', '=', assignment)
        .where('replaced_at', 'is', null)
        .where('withdrawn_at', 'is', null);
      if (path !== undefined) update = update.where('path', '=', path);
      const result = await update.executeTakeFirst();
      const count = Number(result.numUpdatedRows);
      if (count > 0) {
        await recordAudit(trx, {
          courseId: this.courseId,
          actor: by,
          action: 'feedback.withdrawn',
          target: `${student}/${assignment}${path === undefined ? '' : `/${path}`}`,
          detail: { files: count },
        });
      }
      return count;
    });
  }

  /** Moves the release time of files not released yet, of one student or of everyone; returns how many. */
  async reschedule(assignment: string, releaseAt: Date, by: string, student?: string): Promise<number> {
    const now = this.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      let update = trx
        .updateTable('feedback_files')
        .set({ release_at: releaseAt.toISOString() })
        .where('course_id', '=', this.courseId)
        .where('assignment', '=', assignment)
        .where('replaced_at', 'is', null)
        .where('withdrawn_at', 'is', null)
        .where('release_at', '>', now);
      if (student !== undefined) update = update.where('student', '=', student);
      const count = Number((await update.executeTakeFirst()).numUpdatedRows);
      await recordAudit(trx, {
        courseId: this.courseId,
        actor: by,
        action: 'feedback.rescheduled',
        target: student === undefined ? assignment : `${student}/${assignment}`,
        detail: { files: count, releaseAt: releaseAt.toISOString() },
      });
      return count;
    });
  }

  /**
   * Per student with feedback on the assignment: when the latest of it was released (seen by the student from then
   * on), and when the next still scheduled file will be.
   */
  async releaseTimesByStudent(assignment: string): Promise<Map<string, { releasedAt: string | null; scheduledAt: string | null }>> {
    const rows = await this.current().select(['student', 'release_at']).where('assignment', '=', assignment).execute();
    const now = this.now().toISOString();
    const times = new Map<string, { releasedAt: string | null; scheduledAt: string | null }>();
    for (const { student, release_at: at } of rows) {
      const time = times.get(student) ?? { releasedAt: null, scheduledAt: null };
      if (at <= now) time.releasedAt = time.releasedAt === null || at > time.releasedAt ? at : time.releasedAt;
      else time.scheduledAt = time.scheduledAt === null || at < time.scheduledAt ? at : time.scheduledAt;
      times.set(student, time);
    }
    return times;
  }

  /** Current files released by now that are to be written into homes and were not yet, by id after `afterId`. */
  async dueDeliveries(afterId = 0, limit = 500): Promise<FeedbackRow[]> {
    return this.current()
      .where('home_path', 'is not', null)
      .where('delivered_at', 'is', null)
      .where('release_at', '<=', this.now().toISOString())
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** Notes why a delivery has to wait; it stays due. */
  async recordWaiting(row: FeedbackRow, result: HomeDelivery): Promise<void> {
    await this.db
      .updateTable('feedback_files')
      .set({ delivery: JSON.stringify(result) })
      .where('id', '=', row.id)
      .execute();
  }

  /** The earliest release time of a delivery still to come, to wake up then. */
  async nextDeliveryAt(): Promise<Date | undefined> {
    const row = await this.current()
      .where('home_path', 'is not', null)
      .where('delivered_at', 'is', null)
      .where('release_at', '>', this.now().toISOString())
      .orderBy('release_at')
      .executeTakeFirst();
    return row ? new Date(row.release_at) : undefined;
  }

  /** Content hashes written earlier to this place in the student's home: files there with these bytes are ours. */
  async deliveredBefore(student: string, homePath: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('feedback_files')
      .select('sha256')
      .where('course_id', '=', this.courseId)
      .where('student', '=', student)
      .where('home_path', '=', homePath)
      .where('delivered_at', 'is not', null)
      .execute();
    return [...new Set(rows.map((r) => r.sha256))];
  }

  async recordDelivery(row: FeedbackRow, result: HomeDelivery): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('feedback_files')
        .set({ delivered_at: result.at, delivery: JSON.stringify(result) })
        .where('id', '=', row.id)
        .execute();
      await recordAudit(trx, {
        courseId: this.courseId,
        actor: 'coursework',
        action: 'feedback.delivered',
        target: `${row.student}/${row.assignment}/${row.path}`,
        detail: { ...result },
      });
    });
  }
}

/** Every version of every feedback file, across courses (released feedback is never lost): what an integrity check verifies. */
export async function feedbackBlobReferences(
  db: Catalog,
  deletedCourses: readonly string[] = [],
): Promise<{ id: number; student: string; assignment: string; path: string; sha256: string; damagedAt: string | null }[]> {
  let query = db.selectFrom('feedback_files').select(['id', 'student', 'assignment', 'path', 'sha256', 'damaged_at']);
  if (deletedCourses.length > 0) query = query.where('course_id', 'not in', deletedCourses);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    student: row.student,
    assignment: row.assignment,
    path: row.path,
    sha256: row.sha256,
    damagedAt: row.damaged_at,
  }));
}

/** Marks feedback files whose bytes are damaged beyond repair (null: whole again). */
export async function markFeedbackDamaged(db: Catalog, ids: number[], at: string | null): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('feedback_files').set({ damaged_at: at }).where('id', 'in', ids).execute();
}

/** Every blob any version of any feedback file refers to, withdrawn or replaced ones too: released feedback is never lost. */
export async function blobsInUseByFeedback(db: Catalog, deletedCourses: readonly string[] = []): Promise<Set<string>> {
  let query = db.selectFrom('feedback_files').select('sha256').distinct();
  if (deletedCourses.length > 0) query = query.where('course_id', 'not in', deletedCourses);
  const rows = await query.execute();
  return new Set(rows.map((row) => row.sha256));
}
