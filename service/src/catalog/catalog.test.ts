import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createLogger } from '../log';
import { syncCourse } from '../courses/store';
import { testCatalogKind, testDatabaseUrl } from '../../test/support/test-catalog';
import { type CatalogOptions, migrate, openCatalog } from './catalog';

const log = createLogger('fatal');
const ALL = [
  '0001-courses-and-audit',
  '0002-snapshots-and-jobs',
  '0003-feedback',
  '0004-assignments',
  '0005-integrity',
  '0006-courses-and-members',
  '0007-course-capture',
  '0008-exchange',
  '0009-replicas',
  '0010-audit-lookups',
];

async function freshOptions(): Promise<CatalogOptions> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coursework-catalog-'));
  return { url: await testDatabaseUrl(), sqliteFile: path.join(dir, 'catalog.sqlite') };
}

describe(`the catalog (${testCatalogKind()})`, () => {
  it('applies its migrations once, and again on a reopened catalog applies none', async () => {
    const options = await freshOptions();
    const first = openCatalog(options);
    expect(await migrate(first, log)).toEqual(ALL);
    await first.destroy();
    const second = openCatalog(options);
    expect(await migrate(second, log)).toEqual([]);
    await second.destroy();
  });

  it('stores sizes past 2 GiB and reads them, and counts, back as numbers', async () => {
    const db = openCatalog(await freshOptions());
    await migrate(db, log);
    await syncCourse(db, { id: 'c1', title: 'C', instructorsGroup: 'i', gradersGroup: 'g', studentsGroup: 's' });
    const bytes = 7.5 * 2 ** 30;
    await db
      .insertInto('jobs')
      .values({
        id: 'j1',
        course_id: 'c1',
        kind: 'snapshot',
        dedupe_key: 'k',
        params: '{}',
        state: 'done',
        total: 1,
        done: 1,
        bytes,
        results: '[]',
        created_by: 'test',
        created_at: new Date().toISOString(),
      })
      .execute();
    const row = await db.selectFrom('jobs').select(['bytes', 'done']).executeTakeFirstOrThrow();
    expect(row).toEqual({ bytes, done: 1 });
    const { n } = await db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(n).toBe(1);
    const { total } = await db
      .selectFrom('jobs')
      .select((eb) => eb.fn.sum<number>('bytes').as('total'))
      .executeTakeFirstOrThrow();
    expect(total).toBe(bytes);
    await db.destroy();
  });
});

if (testCatalogKind() === 'postgres') {
  describe('replicas starting together on PostgreSQL', () => {
    it('migrate the catalog once between them (the migrator holds a lock)', async () => {
      const options = await freshOptions();
      const replicas = [openCatalog(options), openCatalog(options), openCatalog(options)];
      const applied = await Promise.all(replicas.map((db) => migrate(db, log)));
      expect(applied.filter((names) => names.length > 0)).toEqual([ALL]);
      expect(applied.filter((names) => names.length === 0)).toHaveLength(2);
      await Promise.all(replicas.map((db) => db.destroy()));
    });
  });
}

describe('the SQLite catalog', () => {
  async function cacheSizeOf(options: CatalogOptions): Promise<number> {
    const db = openCatalog(options);
    try {
      const { rows } = await sql<{ cache_size: number }>`pragma cache_size`.execute(db);
      return rows[0]!.cache_size;
    } finally {
      await db.destroy();
    }
  }

  it("keeps SQLite's default 2 MB page cache, or the configured size, not the driver's 16 MB", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'coursework-catalog-'));
    const sqliteFile = path.join(dir, 'catalog.sqlite');
    // Negative: KiB, as SQLite counts a cache given in size rather than pages.
    expect(await cacheSizeOf({ sqliteFile })).toBe(-2048);
    expect(await cacheSizeOf({ sqliteFile, sqliteCacheMb: 8 })).toBe(-8192);
  });
});
