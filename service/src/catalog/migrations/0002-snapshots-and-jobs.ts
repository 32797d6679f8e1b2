import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('snapshots')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('course_id', 'text', (c) => c.notNull().references('courses.id'))
    .addColumn('student', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('base_name', 'text', (c) => c.notNull())
    .addColumn('taken_at', 'text', (c) => c.notNull())
    .addColumn('taken_by', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text')
    .addColumn('include_hidden', 'integer', (c) => c.notNull())
    .addColumn('file_count', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('manifest_sha256', 'text', (c) => c.notNull())
    .addColumn('manifest', 'text', (c) => c.notNull())
    .addColumn('skipped', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .addColumn('deleted_by', 'text')
    .execute();
  // One live snapshot per student and name; deleted ones stay listed (410) and free the name.
  await db.schema
    .createIndex('snapshots_live_name')
    .on('snapshots')
    .columns(['course_id', 'student', 'name'])
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
  await db.schema.createIndex('snapshots_by_name').on('snapshots').columns(['course_id', 'name']).execute();

  // What the last snapshot of each home saw, so an unchanged file is not read again (git's index).
  await db.schema
    .createTable('home_index')
    .addColumn('course_id', 'text', (c) => c.notNull().references('courses.id'))
    .addColumn('student', 'text', (c) => c.notNull())
    .addColumn('walked_at_ns', 'text', (c) => c.notNull())
    .addColumn('entries', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('home_index_pk', ['course_id', 'student'])
    .execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('course_id', 'text', (c) => c.notNull().references('courses.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('done', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('results', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('jobs_active').on('jobs').columns(['course_id', 'dedupe_key', 'state']).execute();
}
