import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openCatalog } from './catalog';

// Any import of the PostgreSQL driver from the catalog's module (or on the way to a SQLite catalog) fails here.
jest.mock('pg', () => {
  throw new Error('the PostgreSQL driver was loaded');
});

it('opens a SQLite catalog without loading the PostgreSQL driver', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'coursework-sqlite-only-'));
  try {
    const catalog = openCatalog({ sqliteFile: path.join(dir, 'catalog.sqlite') });
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(catalog);
    expect(rows).toEqual([{ one: 1 }]);
    await catalog.destroy();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
