/**
 * The catalog a test runs on: SQLite, or a fresh database on the run's PostgreSQL cluster when jest runs the
 * test in a PostgreSQL project (its `globals` say `COURSEWORK_TEST_CATALOG: 'postgres'`). The same tests run on both.
 */
import path from 'node:path';
import { sql } from 'kysely';
import { type Catalog, isPostgres, openCatalog } from '../../src/catalog/catalog';
import { createDatabase } from './postgres';

export function testCatalogKind(): 'sqlite' | 'postgres' {
  return (globalThis as { COURSEWORK_TEST_CATALOG?: string }).COURSEWORK_TEST_CATALOG === 'postgres' ? 'postgres' : 'sqlite';
}

/** What JupyterHub gives a managed service, for tests that build a config without a Hub (port 9: nothing listens). */
export const HUB_ENV = {
  JUPYTERHUB_API_URL: 'http://127.0.0.1:9/hub/api',
  JUPYTERHUB_API_TOKEN: 'service-token-for-tests',
  JUPYTERHUB_SERVICE_PREFIX: '/services/coursework/',
  JUPYTERHUB_SERVICE_URL: 'http://127.0.0.1:10101',
  JUPYTERHUB_OAUTH_CALLBACK_URL: '/services/coursework/oauth_callback',
};

/** A new empty PostgreSQL database's URL in a PostgreSQL project; undefined on SQLite. */
export async function testDatabaseUrl(): Promise<string | undefined> {
  if (testCatalogKind() === 'sqlite') return undefined;
  const adminUrl = process.env.COURSEWORK_TEST_POSTGRES_URL;
  if (!adminUrl)
    throw new Error('COURSEWORK_TEST_POSTGRES_URL is not set: run this project through jest (its global set-up starts PostgreSQL)');
  return createDatabase(adminUrl, 'test');
}

/** An empty catalog (not migrated): a SQLite file in `dir`, or a new PostgreSQL database. */
export async function openTestCatalog(dir: string): Promise<Catalog> {
  return openCatalog({ url: await testDatabaseUrl(), sqliteFile: path.join(dir, 'catalog.sqlite') });
}

/**
 * Makes the catalog refuse every write (as it does when its disk is full), or accept them again: a trigger on each
 * table that raises an error, on either database.
 */
export async function refuseWrites(db: Catalog, refuse: boolean): Promise<void> {
  const tables = (await db.introspection.getTables()).map((table) => table.name).filter((name) => !name.startsWith('kysely_'));
  const postgres = isPostgres(db);
  if (postgres && refuse) {
    await sql`CREATE FUNCTION refuse_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$`.execute(db);
  }
  for (const table of tables) {
    for (const event of postgres ? ['write'] : ['insert', 'update', 'delete']) {
      const trigger = sql.id(`refuse_${event}_${table}`);
      if (!refuse) await sql`DROP TRIGGER ${trigger}${postgres ? sql` ON ${sql.table(table)}` : sql``}`.execute(db);
      else if (postgres) {
        await sql`CREATE TRIGGER ${trigger} BEFORE INSERT OR UPDATE OR DELETE ON ${sql.table(table)} EXECUTE FUNCTION refuse_write()`.execute(
          db,
        );
      } else {
        await sql`CREATE TRIGGER ${trigger} BEFORE ${sql.raw(event.toUpperCase())} ON ${sql.table(table)} BEGIN SELECT RAISE(ABORT, 'refused'); END`.execute(
          db,
        );
      }
    }
  }
  if (postgres && !refuse) await sql`DROP FUNCTION refuse_write()`.execute(db);
}
