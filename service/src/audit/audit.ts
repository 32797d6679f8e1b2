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
    | 'extension.granted'
    | 'extension.revoked';
  target: string;
  detail?: Record<string, unknown>;
}

/** Every action writes one: prepared, as a whole-course snapshot writes one per student. */
const insertAuditEvent = prepareQuery((db, p: { courseId: string; at: string; actor: string; action: string; target: string; detail: string }) =>
  db.insertInto('audit_events').values({ course_id: p.courseId, at: p.at, actor: p.actor, action: p.action, target: p.target, detail: p.detail }),
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
  const rows = await query.select(['at', 'actor', 'action', 'target', 'detail']).orderBy('id', 'desc').offset(page.offset).limit(page.limit).execute();
  return { items: rows.map((row) => ({ ...row, detail: JSON.parse(row.detail) as Record<string, unknown> })), total: Number(total) };
}
