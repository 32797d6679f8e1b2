/**
 * The catalog, reached through Kysely: an embedded SQLite file by default, or a PostgreSQL database that several
 * replicas of the service share. Versioned migrations are applied at start-up; on PostgreSQL Kysely's migrator
 * holds an advisory lock meanwhile, so replicas starting together migrate once.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresAdapter, PostgresDialect, SqliteDialect } from 'kysely';
import { type Migration, Migrator } from 'kysely/migration';
import type pg from 'pg';
import type { Logger } from '../log';
import * as m0001 from './migrations/0001-courses-and-audit';
import * as m0002 from './migrations/0002-snapshots-and-jobs';
import * as m0003 from './migrations/0003-feedback';
import * as m0004 from './migrations/0004-assignments';
import * as m0005 from './migrations/0005-integrity';
import * as m0006 from './migrations/0006-courses-and-members';
import * as m0007 from './migrations/0007-course-capture';
import * as m0008 from './migrations/0008-exchange';
import * as m0009 from './migrations/0009-replicas';
import * as m0010 from './migrations/0010-audit-lookups';
import { PostgresSchemaPlugin } from './postgres-schema';
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
  '0009-replicas': m0009,
  '0010-audit-lookups': m0010,
};

export type Catalog = Kysely<CatalogSchema>;

export interface CatalogOptions {
  /** `postgres://…`; none: SQLite at `sqliteFile`. */
  url?: string | undefined;
  poolSize?: number;
  sqliteFile: string;
  /** SQLite's page cache, in MB (default 2). */
  sqliteCacheMb?: number;
}

export function openCatalog(options: CatalogOptions): Catalog {
  return options.url
    ? openPostgresCatalog(options.url, options.poolSize ?? 10)
    : openSqliteCatalog(options.sqliteFile, options.sqliteCacheMb);
}

/** The catalog a config names (what the service and its command line open). */
export function catalogOptions(config: {
  dataDir: string;
  database: { url: string | undefined; poolSize: number; sqliteCacheMb: number };
}): CatalogOptions {
  const { url, poolSize, sqliteCacheMb } = config.database;
  return { url, poolSize, sqliteCacheMb, sqliteFile: path.join(config.dataDir, 'catalog.sqlite') };
}

export function isPostgres(db: Pick<Catalog, 'getExecutor'>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

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

export function openSqliteCatalog(file: string, cacheMb = 2): Catalog {
  mkdirSync(path.dirname(file), { recursive: true });
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  // FULL, not WAL's usual NORMAL: a commit is on disk before it returns, so a capture receipt a student has seen
  // survives a power loss (NORMAL may drop the last commits). The snapshot rows commit in groups, which keeps it cheap.
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // better-sqlite3 builds SQLite with a 16 MB page cache; a large catalog fills it and holds it for good. The
  // catalog's reads are small and indexed, and the disk cache serves its pages as fast.
  database.pragma(`cache_size = -${Math.round(cacheMb * 1024)}`);
  return new Kysely<CatalogSchema>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
}

/**
 * pg hands 64-bit integers (`bigint` columns, `count(*)`) and numerics (`sum`) over as strings, lest they lose
 * precision; the catalog's numbers (sizes, counts) stay far below 2^53, so they are read as numbers, as SQLite's are.
 */
function catalogTypes(types: typeof pg.types) {
  const numberTypes = new Set<number>([types.builtins.INT8, types.builtins.NUMERIC]);
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      numberTypes.has(oid) && format !== 'binary'
        ? (text: string) => Number(text)
        : types.getTypeParser(oid, format as 'text')) as typeof types.getTypeParser,
  };
}

function openPostgresCatalog(url: string, poolSize: number): Catalog {
  // The driver is loaded only for a PostgreSQL catalog: a service on SQLite does not keep its code in memory.
  const { Pool, types } = createRequire(__filename)('pg') as typeof pg;
  const pool = new Pool({ connectionString: url, max: poolSize, types: catalogTypes(types), connectionTimeoutMillis: 10_000 });
  // A connection the server drops while idle (a restart, a failover) must not take the process down; the next
  // query opens a new one.
  pool.on('error', () => undefined);
  return new Kysely<CatalogSchema>({ dialect: new PostgresDialect({ pool }) });
}

export async function migrate(db: Catalog, log: Logger): Promise<string[]> {
  // Migrations are written once for both databases; on PostgreSQL the plugin maps SQLite's column types.
  const migrating = isPostgres(db) ? db.withPlugin(new PostgresSchemaPlugin()) : db;
  const migrator = new Migrator({ db: migrating, provider: { getMigrations: async () => MIGRATIONS } });
  const { error, results } = await migrator.migrateToLatest();
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (applied.length > 0) log.info({ applied }, 'catalog migrated');
  if (error) throw new Error(`catalog migration failed: ${(error as Error).message ?? String(error)}`);
  return applied;
}
