/**
 * The catalog on PostgreSQL and three replicas, against the embedded SQLite catalog on the same course:
 *
 *   first snapshot and unchanged re-snapshot   one replica on SQLite, one on PostgreSQL, three on PostgreSQL behind
 *                                               HAProxy (round robin, as the replica tests run them)
 *   listing p99 under 200 concurrent readers    each of the three set-ups (the readers list students' snapshots)
 *
 * PostgreSQL is a throwaway cluster (the tests' fixture) on loopback, with fsync on, as the catalog's own SQLite is.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import path from 'node:path';
import { createDatabase, freePort, type PostgresCluster, startPostgres } from '../../service/test/support/postgres';

export interface LoadResult {
  requests: number;
  errors: number;
  p50: number;
  p99: number;
}

/**
 * `readers` clients each listing a student's snapshots, one request after another, for `seconds` or until
 * `maxRequests` have been made: latency percentiles in milliseconds.
 */
export async function listingLoad(
  base: string,
  headers: Record<string, string>,
  students: readonly string[],
  options: { readers: number; seconds: number; maxRequests: number },
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.readers });
  const latencies: number[] = [];
  let errors = 0;
  let made = 0;
  const until = Date.now() + options.seconds * 1000;
  const reader = async (r: number) => {
    for (let i = r; Date.now() < until && made < options.maxRequests; i += options.readers) {
      made++;
      const student = students[i % students.length]!;
      const started = process.hrtime.bigint();
      const ok = await get(agent, `${base}api/v1/students/${student}/snapshots`, headers);
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (!ok) errors++;
    }
  };
  await Promise.all(Array.from({ length: options.readers }, (_, r) => reader(r)));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { requests: latencies.length, errors, p50: at(0.5), p99: at(0.99) };
}

async function get(agent: Agent, url: string, headers: Record<string, string>): Promise<boolean> {
  const { request } = await import('node:http');
  return new Promise((resolve) => {
    const req = request(url, { agent, headers }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode === 200));
      res.once('error', () => resolve(false));
    });
    req.once('error', () => resolve(false));
    req.end();
  });
}

/** HAProxy in front of the replicas, round robin, as the replica tests run it. */
export async function startBalancer(dir: string, ports: readonly number[]): Promise<{ base: string; stop(): void }> {
  const port = await freePort();
  const config = path.join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    [
      'global',
      '  maxconn 8192',
      'defaults',
      '  mode http',
      '  timeout connect 2s',
      '  timeout client 120s',
      '  timeout server 120s',
      'frontend coursework',
      `  bind 127.0.0.1:${port}`,
      '  default_backend replicas',
      'backend replicas',
      '  balance roundrobin',
      ...ports.map((p, i) => `  server r${i + 1} 127.0.0.1:${p}`),
      '',
    ].join('\n'),
  );
  const log = openSync(path.join(dir, 'haproxy.log'), 'a');
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', log, log] });
  const base = `http://127.0.0.1:${port}/services/coursework/`;
  for (let i = 0; ; i++) {
    if (
      await fetch(`${base}health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (child.exitCode !== null || i > 100) throw new Error(`HAProxy did not start (see ${dir}/haproxy.log)`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { base, stop: () => void child.kill('SIGTERM') };
}

export interface PostgresForBench {
  cluster: PostgresCluster;
  /** A new empty database for one measurement. */
  database(): Promise<string>;
}

export async function postgresForBench(): Promise<PostgresForBench> {
  const cluster = await startPostgres();
  return { cluster, database: () => createDatabase(cluster.adminUrl, 'bench') };
}

/** The secret replicas share (signed links and cookies). */
export const sharedCookieSecret = (): string => randomBytes(32).toString('hex');
