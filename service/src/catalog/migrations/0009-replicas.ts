import type { Kysely } from 'kysely';

/**
 * Several replicas on one catalog: a job is run by the replica holding its lease (renewed while it runs; another
 * replica takes over a job whose lease has lapsed), and work only one replica may do at a time (housekeeping, a
 * course's feedback delivery) is done under a named lease.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('lease_owner', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('lease_until', 'text').execute();
  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('until', 'text', (c) => c.notNull())
    .execute();
}
