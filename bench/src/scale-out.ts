/**
 * The catalog on PostgreSQL and three replicas, against the embedded SQLite catalog on the same course:
 *
 *   first snapshot and unchanged re-snapshot   one replica on SQLite, one on PostgreSQL, three on PostgreSQL behind
 *                                               HAProxy (round robin, as the replica tests run them)
 *   listing p99 under 200 concurrent readers    each of the three set-ups (the readers list students' snapshots)
 *
 * PostgreSQL is a throwaway cluster (the tests' fixture) on loopback, with fsync on, as the catalog's own SQLite is.
 */
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { createDatabase, freePort, type PostgresCluster, startPostgres } from '../../service/test/support/postgres';
import { startBalancer } from '../../service/test/support/replicas';

export interface LoadResult {
  requests: number;
  errors: number;
  p50: number;
  p99: number;
}

/** Latencies (ms) as the count, errors, p50 and p99. */
export function loadResult(latencies: readonly number[], errors: number): LoadResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { requests: sorted.length, errors, p50: at(0.5), p99: at(0.99) };
}

/**
 * `readers` clients each listing a student's snapshots, one request after another, for `seconds` or until
 * `maxRequests` have been made: latency percentiles in milliseconds.
 */
export function listingLoad(
  base: string,
  headers: Record<string, string>,
  students: readonly string[],
  options: { readers: number; seconds: number; maxRequests: number },
): Promise<LoadResult> {
  return requestLoad((i) => `${base}api/v1/students/${students[i % students.length]!}/snapshots`, headers, options);
}

/** `readers` clients each asking for `urlOf(i)`, one request after another (the i-th request of all), as listingLoad. */
export async function requestLoad(
  urlOf: (i: number) => string,
  headers: Record<string, string>,
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
      const started = process.hrtime.bigint();
      const ok = await get(agent, urlOf(i), headers);
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (!ok) errors++;
    }
  };
  await Promise.all(Array.from({ length: options.readers }, (_, r) => reader(r)));
  agent.destroy();
  return loadResult(latencies, errors);
}

/** Reads an answer to its end (a zip too: the reader pays for every byte); whether it was a 200. */
export function get(agent: Agent, url: string, headers: Record<string, string>): Promise<boolean> {
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

/** HAProxy in front of the replicas, as the replica tests run it (logs in `dir`); its base URL. */
export async function balancerFor(dir: string, ports: readonly number[]): Promise<{ base: string; stop(): void }> {
  const port = await freePort();
  const balancer = await startBalancer(dir, port, ports);
  return { base: `http://127.0.0.1:${port}/services/coursework/`, stop: balancer.stop };
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
