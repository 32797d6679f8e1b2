/**
 * Assignments and per-student extensions in the catalog. Times are stored in UTC and shown in the course's time
 * zone as well. Changes are in the audit log; the scheduler re-plans from the rows, so nothing here is derived.
 */
import type { Assignment, AssignmentChange, AssignmentInput, CaptureSchedule, Extension } from '@coursework/client';
import type { Selectable } from 'kysely';
import { recordAudit } from '../audit/audit';
import type { Catalog } from '../catalog/catalog';
import type { AssignmentsTable, ExtensionsTable } from '../catalog/schema';
import { assertAssignmentId, InvalidFeedbackNameError } from '../names';
import { InvalidInputError } from '../util/invalid-input';

export class InvalidAssignmentError extends InvalidInputError {
  override name = 'InvalidAssignmentError';
}

type AssignmentRow = Selectable<AssignmentsTable>;
type ExtensionRow = Selectable<ExtensionsTable>;

const localFormats = new Map<string, Intl.DateTimeFormat>();
/** Times already shown, by zone and time: a class view shows each due time to every student (bounded). */
const shownTimes = new Map<string, string>();
const MAX_SHOWN_TIMES = 10_000;

/** `2026-12-01 17:00 (America/Vancouver)` (each zone's formatter made once: making one costs far more than using it). */
export function localTime(iso: string, timeZone: string): string {
  const key = `${timeZone}\0${iso}`;
  const shown = shownTimes.get(key);
  if (shown !== undefined) return shown;
  let format = localFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    localFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(new Date(iso));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const text = `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} (${timeZone})`;
  if (shownTimes.size >= MAX_SHOWN_TIMES) shownTimes.clear();
  shownTimes.set(key, text);
  return text;
}

/** An ISO 8601 time with its zone (`Z` or an offset), as UTC ISO. */
export function parseDueTime(value: unknown, what = 'dueAt'): string {
  const time = typeof value === 'string' && /(?:Z|[+-]\d\d:?\d\d)$/.test(value) ? new Date(value) : undefined;
  if (!time || Number.isNaN(time.getTime())) {
    throw new InvalidAssignmentError(`${what} must be an ISO 8601 time with its zone, e.g. 2026-12-01T17:00:00-08:00`);
  }
  return time.toISOString();
}

function parseCaptures(value: unknown): CaptureSchedule | null {
  if (value === null || value === undefined) return null;
  const { everyMinutes, forMinutes } = value as Partial<CaptureSchedule>;
  const minutes = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 60 * 24 * 14;
  if (typeof value !== 'object' || !minutes(everyMinutes) || !minutes(forMinutes) || everyMinutes! > forMinutes!) {
    throw new InvalidAssignmentError('captures must be {everyMinutes, forMinutes}: whole minutes, everyMinutes ≤ forMinutes ≤ 14 days');
  }
  return { everyMinutes: everyMinutes!, forMinutes: forMinutes! };
}

function parseId(id: unknown): string {
  try {
    assertAssignmentId(id);
  } catch (error) {
    if (error instanceof InvalidFeedbackNameError) throw new InvalidAssignmentError(error.message);
    throw error;
  }
  return id;
}

function parseTitle(title: unknown, fallback: string): string {
  if (title === undefined) return fallback;
  if (typeof title !== 'string' || title.trim() === '' || title.length > 200)
    throw new InvalidAssignmentError('title must be 1 to 200 characters');
  return title.trim();
}

function parseBoolean(value: unknown, what: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidAssignmentError(`${what} must be true or false`);
  return value;
}

export class AssignmentStore {
  constructor(
    private readonly db: Catalog,
    private readonly courseId: string,
    private readonly timeZone: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Assignments of the course not deleted. */
  async countLive(): Promise<number> {
    const row = await this.db
      .selectFrom('assignments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('course_id', '=', this.courseId)
      .where('deleted_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private view(row: AssignmentRow, extensions: ExtensionRow[]): Assignment {
    return {
      id: row.id,
      title: row.title,
      dueAt: row.due_at,
      dueAtLocal: localTime(row.due_at, this.timeZone),
      timeZone: this.timeZone,
      snapshotAtDue: row.snapshot_at_due === 1,
      captures:
        row.capture_every_minutes !== null && row.capture_for_minutes !== null
          ? { everyMinutes: row.capture_every_minutes, forMinutes: row.capture_for_minutes }
          : null,
      createdBy: row.created_by,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      extensions: extensions.map((e): Extension => ({
        student: e.student,
        dueAt: e.due_at,
        dueAtLocal: localTime(e.due_at, this.timeZone),
        grantedBy: e.granted_by,
        grantedAt: e.granted_at,
      })),
    };
  }

  private live() {
    return this.db.selectFrom('assignments').selectAll().where('course_id', '=', this.courseId).where('deleted_at', 'is', null);
  }

  async rows(): Promise<AssignmentRow[]> {
    return this.live().orderBy('due_at').orderBy('id').execute();
  }

  async extensionRows(assignmentId?: string): Promise<ExtensionRow[]> {
    let query = this.db.selectFrom('extensions').selectAll().where('course_id', '=', this.courseId);
    if (assignmentId !== undefined) query = query.where('assignment_id', '=', assignmentId);
    return query.orderBy('student').execute();
  }

  async list(): Promise<Assignment[]> {
    const [rows, extensions] = await Promise.all([this.rows(), this.extensionRows()]);
    return rows.map((row) =>
      this.view(
        row,
        extensions.filter((e) => e.assignment_id === row.id),
      ),
    );
  }

  async get(id: string): Promise<Assignment | undefined> {
    const row = await this.live().where('id', '=', id).executeTakeFirst();
    return row ? this.view(row, await this.extensionRows(id)) : undefined;
  }

  /** Creates an assignment; an id in use (even by a deleted one, whose captures stay) is refused. */
  async create(input: unknown, by: string): Promise<Assignment | 'exists'> {
    if (typeof input !== 'object' || input === null) throw new InvalidAssignmentError('expected a JSON object');
    const body = input as Partial<Record<keyof AssignmentInput, unknown>>;
    const id = parseId(body.id);
    const dueAt = parseDueTime(body.dueAt);
    const captures = parseCaptures(body.captures);
    const stamp = this.now().toISOString();
    const taken = await this.db
      .selectFrom('assignments')
      .select('id')
      .where('course_id', '=', this.courseId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (taken) return 'exists';
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('assignments')
        .values({
          course_id: this.courseId,
          id,
          title: parseTitle(body.title, id),
          due_at: dueAt,
          snapshot_at_due: parseBoolean(body.snapshotAtDue, 'snapshotAtDue', true) ? 1 : 0,
          capture_every_minutes: captures?.everyMinutes ?? null,
          capture_for_minutes: captures?.forMinutes ?? null,
          created_by: by,
          created_at: stamp,
          updated_at: stamp,
          deleted_at: null,
        })
        .execute();
      await recordAudit(trx, { courseId: this.courseId, actor: by, action: 'assignment.created', target: id, detail: { dueAt } });
    });
    return (await this.get(id))!;
  }

  async update(id: string, change: unknown, by: string): Promise<Assignment | undefined> {
    const current = await this.live().where('id', '=', id).executeTakeFirst();
    if (!current) return undefined;
    if (typeof change !== 'object' || change === null) throw new InvalidAssignmentError('expected a JSON object');
    const body = change as Partial<Record<keyof AssignmentChange, unknown>>;
    const set: Partial<AssignmentRow> = { updated_at: this.now().toISOString() };
    if (body.title !== undefined) set.title = parseTitle(body.title, current.title);
    if (body.dueAt !== undefined) set.due_at = parseDueTime(body.dueAt);
    if (body.snapshotAtDue !== undefined) set.snapshot_at_due = parseBoolean(body.snapshotAtDue, 'snapshotAtDue', true) ? 1 : 0;
    if (body.captures !== undefined) {
      const captures = parseCaptures(body.captures);
      set.capture_every_minutes = captures?.everyMinutes ?? null;
      set.capture_for_minutes = captures?.forMinutes ?? null;
    }
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('assignments').set(set).where('course_id', '=', this.courseId).where('id', '=', id).execute();
      await recordAudit(trx, {
        courseId: this.courseId,
        actor: by,
        action: 'assignment.updated',
        target: id,
        detail: { before: { dueAt: current.due_at, title: current.title }, change: body },
      });
    });
    return this.get(id);
  }

  /** Hides the assignment; its captures and snapshots stay. */
  async delete(id: string, by: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('assignments')
        .set({ deleted_at: this.now().toISOString() })
        .where('course_id', '=', this.courseId)
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await recordAudit(trx, { courseId: this.courseId, actor: by, action: 'assignment.deleted', target: id });
      return true;
    });
  }

  async grantExtension(id: string, student: string, dueAtValue: unknown, by: string): Promise<Assignment | undefined> {
    if (!(await this.live().where('id', '=', id).executeTakeFirst())) return undefined;
    const dueAt = parseDueTime(dueAtValue);
    const stamp = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('extensions')
        .values({ course_id: this.courseId, assignment_id: id, student, due_at: dueAt, granted_by: by, granted_at: stamp })
        .onConflict((oc) =>
          oc.columns(['course_id', 'assignment_id', 'student']).doUpdateSet({ due_at: dueAt, granted_by: by, granted_at: stamp }),
        )
        .execute();
      await recordAudit(trx, {
        courseId: this.courseId,
        actor: by,
        action: 'extension.granted',
        target: `${id}/${student}`,
        detail: { dueAt },
      });
    });
    return this.get(id);
  }

  async revokeExtension(id: string, student: string, by: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .deleteFrom('extensions')
        .where('course_id', '=', this.courseId)
        .where('assignment_id', '=', id)
        .where('student', '=', student)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) return false;
      await recordAudit(trx, { courseId: this.courseId, actor: by, action: 'extension.revoked', target: `${id}/${student}` });
      return true;
    });
  }
}

/** A student's due time: their extension's, or the assignment's. */
export function effectiveDue(
  assignment: Pick<AssignmentRow, 'id' | 'due_at'>,
  extensions: readonly ExtensionRow[],
  student: string,
): { dueAt: string; extended: boolean } {
  const extension = extensions.find((e) => e.assignment_id === assignment.id && e.student === student);
  return extension ? { dueAt: extension.due_at, extended: true } : { dueAt: assignment.due_at, extended: false };
}
