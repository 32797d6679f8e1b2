/** The audit log: who did what to which snapshot or feedback, and when. Rows are only ever added. */
import type { Kysely, Transaction } from 'kysely';
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

export async function recordAudit(
  db: Kysely<CatalogSchema> | Transaction<CatalogSchema>,
  event: AuditEvent,
  at: Date = new Date(),
): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      course_id: event.courseId,
      at: at.toISOString(),
      actor: event.actor,
      action: event.action,
      target: event.target,
      detail: JSON.stringify(event.detail ?? {}),
    })
    .execute();
}
