import { type Kysely, sql } from 'kysely';

/**
 * nbgrader's exchange: the assignments released through it (files in the blob store, listed here), the students'
 * submissions (each also a snapshot of the student, so that it is browsed, downloaded and zipped like one), and the
 * names and e-mail addresses nbgrader keeps for a course's members.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('exchange_releases')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('course_id', 'text', (c) => c.notNull().references('courses.id'))
    .addColumn('assignment_id', 'text', (c) => c.notNull())
    .addColumn('released_at', 'text', (c) => c.notNull())
    .addColumn('released_by', 'text', (c) => c.notNull())
    .addColumn('files', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .addColumn('deleted_by', 'text')
    .execute();
  // One live release of an assignment at a time.
  await sql`CREATE UNIQUE INDEX exchange_releases_live ON exchange_releases (course_id, assignment_id) WHERE deleted_at IS NULL`.execute(
    db,
  );

  await db.schema
    .createTable('exchange_submissions')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('course_id', 'text', (c) => c.notNull().references('courses.id'))
    .addColumn('assignment_id', 'text', (c) => c.notNull())
    .addColumn('student', 'text', (c) => c.notNull())
    .addColumn('timestamp', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'text', (c) => c.notNull())
    .addColumn('snapshot_name', 'text', (c) => c.notNull())
    .addColumn('files', 'text', (c) => c.notNull())
    .addColumn('file_count', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('manifest_sha256', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text')
    .addColumn('late_by_seconds', 'integer')
    .execute();
  await db.schema
    .createIndex('exchange_submissions_key')
    .on('exchange_submissions')
    .columns(['course_id', 'assignment_id', 'student', 'timestamp'])
    .unique()
    .execute();

  await db.schema
    .createTable('exchange_profiles')
    .addColumn('course_id', 'text', (c) => c.notNull().references('courses.id'))
    .addColumn('user', 'text', (c) => c.notNull())
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('email', 'text')
    .addPrimaryKeyConstraint('exchange_profiles_pk', ['course_id', 'user'])
    .execute();
}
