import type { Kysely } from 'kysely';

/** Per-course capture settings (the folder of the home a course's work lives in, excludes, hidden files), as JSON. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('courses').addColumn('capture', 'text').execute();
}
