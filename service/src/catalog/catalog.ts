/**
 * The catalog: an embedded SQLite file by default, reached through Kysely (which also speaks PostgreSQL), with
 * versioned migrations applied at start-up.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type Migration, Migrator, SqliteDialect } from 'kysely';
import type { Logger } from '../log';
import * as m0001 from './migrations/0001-courses-and-audit';
import * as m0002 from './migrations/0002-snapshots-and-jobs';
import * as m0003 from './migrations/0003-feedback';
import * as m0004 from './migrations/0004-assignments';
import * as m0005 from './migrations/0005-integrity';
import * as m0006 from './migrations/0006-courses-and-members';
import * as m0007 from './migrations/0007-course-capture';
import * as m0008 from './migrations/0008-exchange';
import type { CatalogSchema } from './schema';

/** In order; a name is never reused or edited once released. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-courses-and-audit': m0001,
  '0002-snapshots-and-jobs': m0002,
  '0003-feedback': m0003,
  '0004-assignments': m0004,
  '0005-integrity': m0005,
  '0006-courses-and-members': m0006,
  '0007-course-capture': m0007,
  '0008-exchange': m0008,
};

export type Catalog = Kysely<CatalogSchema>;

/**
 * better-sqlite3 with a cache of prepared statements: Kysely prepares every query it runs, and preparing costs
 * more than running the small statements a snapshot makes (several per student, hundreds of students per job).
 * Statements run synchronously, so sharing one per SQL text is safe.
 */
function withStatementCache(database: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = database.prepare.bind(database);
  return new Proxy(database, {
    get(target, property, receiver) {
      if (property === 'prepare') {
        return (sql: string) => {
          let statement = cache.get(sql);
          if (!statement) {
            statement = prepare(sql);
            if (cache.size < 500) cache.set(sql, statement);
          }
          return statement;
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export function openSqliteCatalog(file: string): Catalog {
  mkdirSync(path.dirname(file), { recursive: true });
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  // FULL, not WAL's usual NORMAL: a commit is on disk before it returns, so a capture receipt a student has seen
  // survives a power loss (NORMAL may drop the last commits). The snapshot rows commit in groups, which keeps it cheap.
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  return new Kysely<CatalogSchema>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
}

export async function migrate(db: Catalog, log: Logger): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const { error, results } = await migrator.migrateToLatest();
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (applied.length > 0) log.info({ applied }, 'catalog migrated');
  if (error) throw new Error(`catalog migration failed: ${(error as Error).message ?? String(error)}`);
  return applied;
}
