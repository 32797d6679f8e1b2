/**
 * Jest's global set-up for the projects that run on PostgreSQL: one cluster for the whole run, each test catalog
 * a database of its own on it (see test-catalog.ts). Both projects name it; the cluster starts once.
 */
import { type PostgresCluster, startPostgres } from './postgres';

export const holder = globalThis as { courseworkPostgres?: PostgresCluster };

export default async function setup(): Promise<void> {
  if (holder.courseworkPostgres) return;
  holder.courseworkPostgres = await startPostgres();
  process.env.COURSEWORK_TEST_POSTGRES_URL = holder.courseworkPostgres.adminUrl;
}
