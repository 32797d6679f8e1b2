import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per released version of one feedback file. Rows are never deleted: a newer version or a withdrawal
  // only marks the row, so everything an instructor released stays in the history.
  await db.schema
    .createTable('feedback_files')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('course_id', 'text', (c) => c.notNull().references('courses.id'))
    .addColumn('student', 'text', (c) => c.notNull())
    .addColumn('assignment', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('released_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('release_at', 'text', (c) => c.notNull())
    .addColumn('replaced_at', 'text')
    .addColumn('withdrawn_at', 'text')
    .addColumn('withdrawn_by', 'text')
    .addColumn('home_path', 'text')
    .addColumn('delivered_at', 'text')
    .addColumn('delivery', 'text')
    .execute();
  // The current version of each file: one per student, assignment and path.
  await db.schema
    .createIndex('feedback_files_current')
    .on('feedback_files')
    .columns(['course_id', 'student', 'assignment', 'path'])
    .unique()
    .where(sql.ref('replaced_at'), 'is', null)
    .where(sql.ref('withdrawn_at'), 'is', null)
    .execute();
  await db.schema.createIndex('feedback_files_by_assignment').on('feedback_files').columns(['course_id', 'assignment']).execute();
  await db.schema
    .createIndex('feedback_files_undelivered')
    .on('feedback_files')
    .columns(['course_id', 'release_at'])
    .where(sql.ref('home_path'), 'is not', null)
    .where(sql.ref('delivered_at'), 'is', null)
    .execute();
}
