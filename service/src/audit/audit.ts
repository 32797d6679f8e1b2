/** The audit log: who did what to which snapshot or feedback, and when. Rows are only ever added. */
import type { AuditEntry } from '@coursework/client';
import type { Kysely, Transaction } from 'kysely';
import { prepareQuery } from '../catalog/prepared';
import type { CatalogSchema } from '../catalog/schema';

export interface AuditEvent {
  courseId: string;
  actor: string;
  action:
    | 'snapshot.taken'
    | 'snapshot.downloaded'
    | 'snapshot.deleted'
    | 'snapshot.requested'
    | 'feedback.released'
    | 'feedback.rescheduled'
    | 'feedback.withdrawn'
    | 'feedback.delivered'
    | 'feedback.downloaded'
    | 'assignment.created'
    | 'assignment.updated'
    | 'assignment.deleted'
    | 'assignment.triggered'
    | 'capture.failed'
    | 'extension.granted'
    | 'extension.revoked'
    | 'course.created'
    | 'course.updated'
    | 'course.deleted'
    | 'roster.changed'
    | 'exchange.released'
    | 'exchange.unreleased'
    | 'exchange.submitted';
  target: string;
  detail?: Record<string, unknown>;
}

/** Every action writes one: prepared, as a whole-course snapshot writes one per student. */
const insertAuditEvent = prepareQuery(
  (db, p: { courseId: string; at: string; actor: string; action: string; target: string; detail: string }) =>
    db
      .insertInto('audit_events')
      .values({ course_id: p.courseId, at: p.at, actor: p.actor, action: p.action, target: p.target, detail: p.detail }),
);

export async function recordAudit(
  db: Kysely<CatalogSchema> | Transaction<CatalogSchema>,
  event: AuditEvent,
  at: Date = new Date(),
): Promise<void> {
  await insertAuditEvent(db, {
    courseId: event.courseId,
    at: at.toISOString(),
    actor: event.actor,
    action: event.action,
    target: event.target,
    detail: JSON.stringify(event.detail ?? {}),
  });
}

/** Many events in one statement (a batch of students' snapshots): one round trip to the catalog for them all. */
export async function recordAudits(
  db: Kysely<CatalogSchema> | Transaction<CatalogSchema>,
  events: { event: AuditEvent; at: Date }[],
): Promise<void> {
  if (events.length === 0) return;
  await db
    .insertInto('audit_events')
    .values(
      events.map(({ event, at }) => ({
        course_id: event.courseId,
        at: at.toISOString(),
        actor: event.actor,
        action: event.action,
        target: event.target,
        detail: JSON.stringify(event.detail ?? {}),
      })),
    )
    .execute();
}

export type { AuditEntry };

/** A page of the course's audit log, newest first, optionally of one action (or action family: `feedback.`). */
export async function readAudit(
  db: Kysely<CatalogSchema>,
  courseId: string,
  page: { offset: number; limit: number },
  filter: { action?: string; actor?: string; target?: string } = {},
): Promise<{ items: AuditEntry[]; total: number }> {
  let query = db.selectFrom('audit_events').where('course_id', '=', courseId);
  // Prefixes as ranges: no LIKE, so no wildcard in a name can widen the match.
  const prefixed = (column: 'action' | 'target', prefix: string) => query.where(column, '>=', prefix).where(column, '<', `${prefix}\uffff`);
  if (filter.action) query = filter.action.endsWith('.') ? prefixed('action', filter.action) : query.where('action', '=', filter.action);
  if (filter.actor) query = query.where('actor', '=', filter.actor);
  if (filter.target) query = prefixed('target', filter.target);
  const { total } = await query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  const rows = await query
    .select(['at', 'actor', 'action', 'target', 'detail'])
    .orderBy('id', 'desc')
    .offset(page.offset)
    .limit(page.limit)
    .execute();
  return { items: rows.map((row) => ({ ...row, detail: JSON.parse(row.detail) as Record<string, unknown> })), total: Number(total) };
}

/**
 * The latest `limit` events whose target is the student's (`<student>/…`: their snapshots, submissions and feedback),
 * oldest first.
 */
export async function readStudentAudit(db: Kysely<CatalogSchema>, courseId: string, student: string, limit: number): Promise<AuditEntry[]> {
  const prefix = `${student}/`;
  const rows = await db
    .selectFrom('audit_events')
    .select(['at', 'actor', 'action', 'target', 'detail'])
    .where('course_id', '=', courseId)
    .where('target', '>=', prefix)
    .where('target', '<', `${prefix}\uffff`)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse().map((row) => ({ ...row, detail: JSON.parse(row.detail) as Record<string, unknown> }));
}

/**
 * When each student last opened feedback of each assignment through Coursework (their own downloads of it), keyed
 * `student\0assignment`.
 */
export async function feedbackOpenings(db: Kysely<CatalogSchema>, courseId: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('audit_events')
    .select(['actor', 'target'])
    .select((eb) => eb.fn.max('at').as('at'))
    .where('course_id', '=', courseId)
    .where('action', '=', 'feedback.downloaded')
    .groupBy(['actor', 'target'])
    .execute();
  const opened = new Map<string, string>();
  for (const { actor, target, at } of rows) {
    // `student/assignment/path`, opened by the student themselves (an instructor's read is not the student's).
    if (!target.startsWith(`${actor}/`)) continue;
    const key = `${actor}\0${target.slice(actor.length + 1).split('/')[0]}`;
    if ((opened.get(key) ?? '') < (at as string)) opened.set(key, at as string);
  }
  return opened;
}

/** The course's events after the row `after` (row ids are the changes feed's cursor), oldest first, at most `limit`. */
export async function readAuditAfter(
  db: Kysely<CatalogSchema>,
  courseId: string,
  after: number,
  limit: number,
): Promise<{ id: number; action: string; target: string }[]> {
  return db
    .selectFrom('audit_events')
    .select(['id', 'action', 'target'])
    .where('course_id', '=', courseId)
    .where('id', '>', after)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** The id of the course's latest event (0 when none): where a changes feed starts. */
export async function latestAuditId(db: Kysely<CatalogSchema>, courseId: string): Promise<number> {
  const row = await db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.max('id').as('latest'))
    .where('course_id', '=', courseId)
    .executeTakeFirst();
  return Number(row?.latest ?? 0);
}

/** Events held back while the catalog refuses writes, at most this many (the oldest are kept). */
const MAX_BACKLOG = 100_000;
const BACKLOG_RETRY_MS = 5000;

/** Audit rows that could not be written yet, per catalog, with the timer that offers them again. */
const backlogs = new WeakMap<Kysely<CatalogSchema>, { events: { event: AuditEvent; at: Date }[]; timer: NodeJS.Timeout | undefined }>();

/**
 * Records an event without holding up the caller, for reads (downloads): a catalog that cannot write (its disk
 * full) must not turn every download into an error. Events it refuses are kept, in order and with their time,
 * and written when it accepts writes again.
 */
export function recordAuditSoon(db: Kysely<CatalogSchema>, event: AuditEvent, at: Date = new Date()): void {
  let backlog = backlogs.get(db);
  if (!backlog) {
    backlog = { events: [], timer: undefined };
    backlogs.set(db, backlog);
  }
  const held = backlog;
  if (held.events.length > 0) {
    if (held.events.length < MAX_BACKLOG) held.events.push({ event, at });
    return;
  }
  recordAudit(db, event, at).catch(() => {
    if (held.events.length < MAX_BACKLOG) held.events.push({ event, at });
    scheduleCatchUp(db, held);
  });
}

function scheduleCatchUp(
  db: Kysely<CatalogSchema>,
  backlog: { events: { event: AuditEvent; at: Date }[]; timer: NodeJS.Timeout | undefined },
): void {
  if (backlog.timer) return;
  backlog.timer = setTimeout(() => {
    backlog.timer = undefined;
    void (async () => {
      while (backlog.events.length > 0) {
        const { event, at } = backlog.events[0]!;
        try {
          await recordAudit(db, event, at);
        } catch {
          scheduleCatchUp(db, backlog);
          return;
        }
        backlog.events.shift();
      }
    })();
  }, BACKLOG_RETRY_MS);
  backlog.timer.unref();
}

/** Audit events waiting for the catalog to accept writes again. */
export function pendingAuditEvents(db: Kysely<CatalogSchema>): number {
  return backlogs.get(db)?.events.length ?? 0;
}
