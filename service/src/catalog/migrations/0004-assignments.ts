import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('assignments')
    .addColumn('course_id', 'text', (c) => c.notNull().references('courses.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('snapshot_at_due', 'integer', (c) => c.notNull())
    .addColumn('capture_every_minutes', 'integer')
    .addColumn('capture_for_minutes', 'integer')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .addPrimaryKeyConstraint('assignments_pk', ['course_id', 'id'])
    .execute();

  await db.schema
    .createTable('extensions')
    .addColumn('course_id', 'text', (c) => c.notNull().references('courses.id'))
    .addColumn('assignment_id', 'text', (c) => c.notNull())
    .addColumn('student', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('granted_by', 'text', (c) => c.notNull())
    .addColumn('granted_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('extensions_pk', ['course_id', 'assignment_id', 'student'])
    .execute();

  // One row per capture the scheduler (or the trigger webhook) owes: claimed by inserting it, so that whoever
  // inserts first takes it and nobody takes it twice, whatever the number of service instances.
  await db.schema
    .createTable('captures')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('course_id', 'text', (c) => c.notNull().references('courses.id'))
    .addColumn('assignment_id', 'text', (c) => c.notNull())
    .addColumn('student', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('claimed_by', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'text', (c) => c.notNull())
    .addColumn('snapshot_name', 'text')
    .addColumn('job_id', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addUniqueConstraint('captures_once', ['course_id', 'assignment_id', 'student', 'kind', 'due_at'])
    .execute();
  await db.schema.createIndex('captures_open').on('captures').columns(['course_id', 'state']).execute();
}
