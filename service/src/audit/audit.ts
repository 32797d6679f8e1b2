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
/** Events recorded soon are written together, this long after the first of them: one commit for many downloads. */
const FLUSH_MS = 20;
const FLUSH_BATCH = 500;

interface AuditQueue {
  events: { event: AuditEvent; at: Date }[];
  timer: NodeJS.Timeout | undefined;
  writing: boolean;
}

/** Audit rows not written yet, per catalog, with the timer that writes them. */
const queues = new WeakMap<Kysely<CatalogSchema>, AuditQueue>();

function queueOf(db: Kysely<CatalogSchema>): AuditQueue {
  let queue = queues.get(db);
  if (!queue) {
    queue = { events: [], timer: undefined, writing: false };
    queues.set(db, queue);
  }
  return queue;
}

/**
 * Records an event without holding up the caller, for reads (downloads). The events of a moment are written in one
 * statement (each its own commit, fsynced, would hold the event loop once per download under load), and a catalog
 * that cannot write (its disk full) must not turn every download into an error: events it refuses are kept, in order
 * and with their time, and written when it accepts writes again.
 */
export function recordAuditSoon(db: Kysely<CatalogSchema>, event: AuditEvent, at: Date = new Date()): void {
  const queue = queueOf(db);
  if (queue.events.length >= MAX_BACKLOG) return;
  queue.events.push({ event, at });
  scheduleWrite(db, queue, FLUSH_MS);
}

function scheduleWrite(db: Kysely<CatalogSchema>, queue: AuditQueue, ms: number): void {
  if (queue.timer || queue.writing) return;
  queue.timer = setTimeout(() => void writeQueued(db, queue), ms);
  queue.timer.unref();
}

/** Writes what is queued, a batch at a time; when the catalog refuses, keeps it and tries again later. */
async function writeQueued(db: Kysely<CatalogSchema>, queue: AuditQueue): Promise<boolean> {
  clearTimeout(queue.timer);
  queue.timer = undefined;
  queue.writing = true;
  let written = true;
  while (queue.events.length > 0) {
    const batch = queue.events.slice(0, FLUSH_BATCH);
    try {
      await recordAudits(db, batch);
    } catch {
      written = false;
      break;
    }
    queue.events.splice(0, batch.length);
  }
  queue.writing = false;
  if (!written) scheduleWrite(db, queue, BACKLOG_RETRY_MS);
  return written;
}

/** Writes the events recorded soon now (a service stopping); answers whether the catalog took them all. */
export async function flushAuditSoon(db: Kysely<CatalogSchema>): Promise<boolean> {
  const queue = queues.get(db);
  if (!queue || queue.events.length === 0 || queue.writing) return queue?.events.length === 0;
  return writeQueued(db, queue);
}

/** Audit events not written yet: waiting for their moment's write, or for the catalog to accept writes again. */
export function pendingAuditEvents(db: Kysely<CatalogSchema>): number {
  return queues.get(db)?.events.length ?? 0;
}
