import type { Kysely } from 'kysely';

/**
 * Jobs that end `failed` say why; snapshots and feedback files whose stored bytes were found damaged (and could not
 * be repaired) name the files concerned.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('error', 'text').execute();
  await db.schema.alterTable('snapshots').addColumn('damaged', 'text').execute();
  await db.schema.alterTable('feedback_files').addColumn('damaged_at', 'text').execute();
}
