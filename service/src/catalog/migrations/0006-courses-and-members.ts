import type { Kysely } from 'kysely';

/**
 * Many courses: each course names its graders group too, may have its own time zone, remembers who created it and
 * when it was deleted; and a roster kept by Coursework (`course_members`) beside the Hub groups.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('courses').addColumn('graders_group', 'text').execute();
  await db.schema.alterTable('courses').addColumn('time_zone', 'text').execute();
  await db.schema.alterTable('courses').addColumn('created_by', 'text').execute();
  await db.schema.alterTable('courses').addColumn('deleted_at', 'text').execute();
  await db.schema.alterTable('courses').addColumn('deleted_by', 'text').execute();
  await db.schema
    .createTable('course_members')
    .addColumn('course_id', 'text', (c) => c.notNull().references('courses.id'))
    .addColumn('user', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('course_members_pk', ['course_id', 'user'])
    .execute();
  await db.schema.createIndex('course_members_user').on('course_members').columns(['user']).execute();
}
