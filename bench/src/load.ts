/**
 * The service under load, as a class uses it on the day work is due: N concurrent readers (listing a student's
 * snapshots, listing a snapshot's files, reading one file, and one zip of a snapshot in ten) through JupyterHub's own
 * proxy while snapshots of the whole course run one after another; then the same straight at the service, which gives the proxy's
 * own share. Per kind: p50 and p99, errors; the service's RSS at its start, at its peak and once the load is over.
 * Bounded in time and in requests; loopback only. Run with `npm run bench -- load [homes] [readers]`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import path from 'node:path';
import { REPO, type RunningHub, startHub } from '../../service/test/support/hub';
import { get, type LoadResult, loadResult, requestLoad } from './scale-out';

const SERVICE_MAIN = path.join(REPO, 'service', 'lib', 'main.js');

export type ReadKind = 'listing' | 'files' | 'file' | 'zip';
const KINDS: ReadKind[] = ['listing', 'files', 'file', 'zip'];

export type KindStats = LoadResult;

export interface MixedLoadResult {
  kinds: Record<ReadKind, KindStats>;
  all: KindStats;
  seconds: number;
}

export interface Target {
  student: string;
  snapshot: string;
  file: string;
}

/**
 * `readers` clients, each going round the kinds (every tenth request a zip) over the targets, until `seconds` pass
 * or `maxRequests` were made.
 */
export async function mixedLoad(
  base: string,
  headers: Record<string, string>,
  targets: readonly Target[],
  options: { readers: number; seconds: number; maxRequests: number },
): Promise<MixedLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.readers });
  const latencies = Object.fromEntries(KINDS.map((kind) => [kind, [] as number[]])) as Record<ReadKind, number[]>;
  const errors = Object.fromEntries(KINDS.map((kind) => [kind, 0])) as Record<ReadKind, number>;
  let made = 0;
  const started = Date.now();
  const until = started + options.seconds * 1000;
  const reader = async (r: number) => {
    for (let i = r; Date.now() < until && made < options.maxRequests; i += options.readers) {
      made++;
      const { student, snapshot, file } = targets[i % targets.length]!;
      const kind: ReadKind = i % 10 === 9 ? 'zip' : KINDS[i % 3]!;
      const at = `${base}api/v1/students/${student}/snapshots`;
      const url = {
        listing: at,
        files: `${at}/${snapshot}/files`,
        file: `${at}/${snapshot}/files/${file}`,
        zip: `${at}/${snapshot}/zip`,
      }[kind];
      const t0 = process.hrtime.bigint();
      const ok = await get(agent, url, headers);
      latencies[kind].push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (!ok) errors[kind]++;
    }
  };
  await Promise.all(Array.from({ length: options.readers }, (_, r) => reader(r)));
  agent.destroy();
  const kinds = Object.fromEntries(KINDS.map((kind) => [kind, loadResult(latencies[kind], errors[kind])])) as Record<ReadKind, KindStats>;
  const all = loadResult(
    KINDS.flatMap((kind) => latencies[kind]),
    KINDS.reduce((sum, kind) => sum + errors[kind], 0),
  );
  return { kinds, all, seconds: (Date.now() - started) / 1000 };
}

/** The process listening as the Hub's service on `port` (JupyterHub gives it its URL in its environment). */
export function servicePid(port: number): number {
  const marker = `JUPYTERHUB_SERVICE_URL=http://127.0.0.1:${port}`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(marker)) return Number(entry);
    } catch {
      // gone, or not ours to read
    }
  }
  throw new Error(`no process serves port ${port}`);
}

export function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

/**
 * Two readers of a large home: one going through its files a page at a time, over and over; the other zipping it,
 * over and over, from the moment the first page (which reads the manifest) was answered.
 */
export async function largeHomeReaders(
  base: string,
  headers: Record<string, string>,
  home: { student: string; snapshot: string; files: number },
  seconds: number,
): Promise<{ pages: LoadResult; zips: LoadResult; firstPageMs: number }> {
  const at = `${base}api/v1/students/${home.student}/snapshots/${home.snapshot}`;
  const until = Date.now() + seconds * 1000;
  const reader = () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const times: number[] = [];
    let errors = 0;
    const timed = async (url: string) => {
      const t0 = process.hrtime.bigint();
      if (!(await get(agent, url, headers))) errors++;
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    };
    const result = () => {
      agent.destroy();
      return loadResult(times, errors);
    };
    return { timed, times, result };
  };
  const pager = reader();
  const zipper = reader();
  const { promise: firstPageAnswered, resolve: firstPage } = Promise.withResolvers<void>();
  const paging = async () => {
    while (Date.now() < until) {
      for (let offset = 0; offset < home.files && Date.now() < until; offset += LARGE_HOME_PAGE) {
        await pager.timed(`${at}/files?offset=${offset}&limit=${LARGE_HOME_PAGE}`);
        firstPage();
      }
    }
    firstPage();
  };
  const zipping = async () => {
    await firstPageAnswered;
    while (Date.now() < until) await zipper.timed(`${at}/zip`);
  };
  await Promise.all([paging(), zipping()]);
  return { pages: pager.result(), zips: zipper.result(), firstPageMs: pager.times[0] ?? NaN };
}

/** The largest page the service gives by default. */
const LARGE_HOME_PAGE = 200;

export interface LargeHomeResult {
  /** The same readers straight at the service, while two more page through and zip the large home. */
  others: MixedLoadResult;
  pages: LoadResult;
  zips: LoadResult;
  /** The first page, which reads the home's manifest. */
  firstPageMs: number;
  /** The service's RSS before that and at its peak during it. */
  rss: { before: number; peak: number };
}

export interface LoadBenchResult {
  proxied: MixedLoadResult;
  direct: MixedLoadResult;
  /** With a large home: the same straight load with one reader on the large home instead. */
  largeHome?: LargeHomeResult;
  /**
   * The floor under those numbers: the same readers asking for the service's health (no catalog, no disk, no
   * identity check), through the proxy and straight, with nothing else running.
   */
  floor: { proxied: LoadResult; direct: LoadResult };
  rss: { start: number; peak: number; after: number };
  /** How long each course snapshot taken beside the proxied load took. */
  snapshotSeconds: number[];
}

/**
 * A real Hub (the project's demo config, its proxy, the service it starts, quiet but for warnings); with
 * COURSEWORK_BENCH_PROFILE=<folder>, the service is started from this checkout's build with a CPU profile there.
 */
export async function startBenchHub(env: Record<string, string> = {}): Promise<RunningHub> {
  const profile = process.env.COURSEWORK_BENCH_PROFILE;
  const command =
    profile && `${process.execPath} --max-semi-space-size=2 --heap-growing-percent=15 --cpu-prof --cpu-prof-dir=${profile} ${SERVICE_MAIN}`;
  return startHub({ env: { COURSEWORK_LOG_LEVEL: 'warn', ...(command ? { COURSEWORK_SERVICE_COMMAND: command } : {}), ...env } });
}

/**
 * A real Hub (the project's demo config, its proxy, the service it starts) over the homes in `homesDir`, with
 * `students` as the default course's students; a first snapshot of everyone, then the load through the proxy while
 * more are taken, then the load straight at the service.
 */
export async function runLoadBench(
  homesDir: string,
  students: readonly string[],
  file: string,
  options: { readers: number; seconds: number; maxRequests: number },
  largeHome?: { student: string; files: number },
): Promise<LoadBenchResult> {
  const hub = await startBenchHub({ COURSEWORK_HOME_TEMPLATE: `${homesDir}/{username}` });
  try {
    const everyone = largeHome ? [...students, largeHome.student] : [...students];
    await hub.addUsers(everyone);
    await hub.api('POST', '/groups/students/users', { users: everyone });
    const { token } = await hub.issueToken('instructor');
    const headers = { Authorization: `token ${token}` };
    const snapshot = async (base: string, name: string) => {
      const response = await fetch(`${base}api/v1/snapshots`, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      const { job } = (await response.json()) as { job: { id: string } };
      for (;;) {
        const state = (await (await fetch(`${base}api/v1/jobs/${job.id}?wait=60`, { headers })).json()) as { state: string; name: string };
        if (state.state === 'failed') throw new Error(`snapshot ${name} failed`);
        if (state.state === 'done') return state.name;
      }
    };
    const proxied = hub.serviceUrl;
    const direct = `http://127.0.0.1:${hub.servicePort}/services/coursework/`;
    const pid = servicePid(hub.servicePort);
    const first = await snapshot(proxied, 'load first');
    const targets = students.map((student) => ({ student, snapshot: first, file }));
    const start = rssMb(pid);
    let peak = start;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 20);
    // Course snapshots one after another for as long as the proxied load lasts.
    let loading = true;
    const snapshotSeconds: number[] = [];
    const during = (async () => {
      for (let n = 1; loading; n++) {
        const started = Date.now();
        await snapshot(proxied, `load during ${n}`);
        snapshotSeconds.push((Date.now() - started) / 1000);
      }
    })();
    const proxiedLoad = await mixedLoad(proxied, headers, targets, options);
    loading = false;
    await during;
    const directLoad = await mixedLoad(direct, headers, targets, options);
    clearInterval(sampler);
    // Idle again: what the service keeps once the readers are gone.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const after = rssMb(pid);
    let large: LargeHomeResult | undefined;
    if (largeHome) {
      const before = rssMb(pid);
      let largePeak = before;
      const largeSampler = setInterval(() => (largePeak = Math.max(largePeak, rssMb(pid))), 20);
      const [others, reader] = await Promise.all([
        mixedLoad(direct, headers, targets, options),
        largeHomeReaders(direct, headers, { ...largeHome, snapshot: first }, options.seconds),
      ]);
      clearInterval(largeSampler);
      large = { others, ...reader, rss: { before, peak: largePeak } };
    }
    const floor = {
      proxied: await requestLoad(() => `${proxied}health`, {}, options),
      direct: await requestLoad(() => `${direct}health`, {}, options),
    };
    return { proxied: proxiedLoad, direct: directLoad, largeHome: large, floor, rss: { start, peak, after }, snapshotSeconds };
  } finally {
    await hub.stop();
  }
}
