import type { Kysely } from 'kysely';

/**
 * The audit log read as well as written: a student's timeline reads the rows whose target is theirs, and each class
 * read looks up the students' own feedback downloads. Without these, both scan the course's whole log, which grows
 * with every snapshot and download.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('audit_events_target').on('audit_events').columns(['course_id', 'target']).execute();
  await db.schema.createIndex('audit_events_action').on('audit_events').columns(['course_id', 'action', 'actor']).execute();
}
