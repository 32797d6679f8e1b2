/**
 * What changed in a course since a cursor, for views that keep the class on screen (the class workspace): the
 * students whose work, feedback or due times changed, and whether the assignments themselves did. Read from the audit
 * log, which every such change writes; its row ids are the cursor. A read with nothing new waits for something to
 * happen, up to the time asked, looking at the catalog a few times a second (any replica's changes are seen).
 *
 * On PostgreSQL a row's id is taken when it is inserted, so a row of a transaction still open when the feed is read
 * can be passed over; what it changed shows at the student's next change or the view's next full read.
 */
import type { ClassChanges } from '@coursework/client';
import { latestAuditId, readAuditAfter } from '../audit/audit';
import type { Catalog } from '../catalog/catalog';

/** The most rows one read of the feed goes through; a longer backlog is read on the next call. */
const BATCH = 1000;
const POLL_MS = 250;

/** The student a row's target names: `student/…` for work and feedback, `assignment/student` for extensions. */
function studentOf(action: string, target: string): string | null {
  if (action.startsWith('extension.')) return target.split('/')[1] ?? null;
  if (
    action.startsWith('snapshot.') ||
    action.startsWith('feedback.') ||
    action.startsWith('capture.') ||
    action === 'exchange.submitted'
  ) {
    return target.split('/')[0] || null;
  }
  return null;
}

export class ClassChangesFeed {
  constructor(
    private readonly db: Catalog,
    private readonly courseId: string,
  ) {}

  /**
   * The changes after `after`, waiting up to `waitMs` for one; without `after`, the cursor to start from. The
   * answer's cursor is what to ask after next.
   */
  async since(after: number | undefined, waitMs: number, aborted: () => boolean = () => false): Promise<ClassChanges> {
    if (after === undefined) return { cursor: await latestAuditId(this.db, this.courseId), students: [], assignments: false };
    const deadline = Date.now() + waitMs;
    for (;;) {
      const rows = await readAuditAfter(this.db, this.courseId, after, BATCH);
      if (rows.length > 0) {
        const students = new Set<string>();
        let assignments = false;
        for (const row of rows) {
          const student = studentOf(row.action, row.target);
          if (student) students.add(student);
          if (row.action.startsWith('assignment.') || row.action.startsWith('course.') || row.action === 'roster.changed') {
            assignments = true;
          }
        }
        return { cursor: rows.at(-1)!.id, students: [...students].sort(), assignments };
      }
      const left = deadline - Date.now();
      if (left <= 0 || aborted()) return { cursor: after, students: [], assignments: false };
      await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, left)));
    }
  }
}
