/**
 * A throwaway PostgreSQL cluster for the tests: initdb in a temporary folder, the server on a free loopback port,
 * trust authentication for loopback only. initdb and the server refuse to run as root, so as root they run as the
 * `postgres` user (Debian's package creates it). Binaries from `COURSEWORK_POSTGRES_BIN`, else Debian's newest.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface PostgresCluster {
  dir: string;
  port: number;
  /** The `postgres` database, for creating others. */
  adminUrl: string;
  start(): void;
  /** `fast` lets clients finish their transactions' rollback; `immediate` is a crash. */
  stop(mode?: 'fast' | 'immediate'): void;
  destroy(): void;
}

function binDir(): string {
  const given = process.env.COURSEWORK_POSTGRES_BIN;
  if (given) return given;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL is needed for these tests: install it (Debian/Ubuntu: apt-get install postgresql) or set COURSEWORK_POSTGRES_BIN',
    );
  }
  return path.join(root, versions[0]!, 'bin');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const run = (command: string, args: string[]) =>
    execFileSync(asRoot ? 'runuser' : path.join(bin, command), asRoot ? ['-u', 'postgres', '--', path.join(bin, command), ...args] : args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: os.tmpdir(),
    });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coursework-postgres-'));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  // Loopback only; the socket lives in the throwaway folder. fsync stays on: the tests include crashes.
  writeFileSync(
    path.join(data, 'postgresql.auto.conf'),
    [`port = ${port}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${dir}'`, 'max_connections = 300', ''].join('\n'),
  );
  if (asRoot) execFileSync('chown', ['postgres:postgres', path.join(data, 'postgresql.auto.conf')]);
  const log = path.join(dir, 'server.log');
  const cluster: PostgresCluster = {
    dir,
    port,
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: () => void run('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', 'start']),
    stop: (mode = 'fast') => void run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']),
    destroy: () => {
      try {
        cluster.stop('immediate');
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}

/** A new empty database on the cluster at `adminUrl`; returns its URL. */
export async function createDatabase(adminUrl: string, prefix = 'coursework'): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
