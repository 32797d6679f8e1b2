/**
 * Coursework against the seed's tools on the same generated course, in one run:
 *
 *   first snapshot of every home     vs  rsync -a (the seed's copy; median of three runs each, the service started
 *                                        afresh on an empty data folder each time) and rsync -a --link-dest
 *   re-snapshot of unchanged homes   vs  cp -al (median of three runs each)
 *   store size                       vs  the raw tree
 *   zip of 60 homes                  vs  zip -r -1 (median of three runs each; and jszip, the library we did not
 *                                        use for it)
 *   the service's peak RSS through the snapshots and the zips (each phase's own peak is shown)
 *   nbgrader's exchange                  vs  ngshare 0.6.0 (see exchange.ts): every student submits, one at a time
 *                                        and then 16 at once, and the instructor collects them all
 *   the floors (floors.ts)               SHA-256 of every byte, and the bare walk, on the service's scan threads
 *   the catalog on PostgreSQL, and three replicas on it behind HAProxy (see scale-out.ts): first snapshot and
 *                                        re-snapshot against SQLite's, listing p99 under 200 readers on each
 *
 * The service runs as its own process, exactly as JupyterHub starts it, with a small stand-in for the Hub API
 * (a benchmark measures the service, not the Hub); the exchange's two servers run beside a real Hub instead, since
 * checking each request's token with the Hub is part of what ngshare costs a course. Usage: npm run bench [-- <homes> [<zip homes>]].
 * `npm run bench -- load [<homes> [<readers>]]` runs the load benchmark instead (load.ts: a real Hub and its proxy),
 * whose last line is `load: p99_ms=<through the proxy>/<straight> p50_ms=... errors=... rss_mb=<start>/<peak>/<after>
 * floor_p99_ms=<health through the proxy>/<straight> large_home_p99_ms=<all p99 straight, beside a reader paging through
 * a home of 20,000 files and another zipping it>/<without it>`.
 * The last line is machine-readable:
 *   bench: first=<ratio to rsync -a> resnapshot=<seconds> store=<store/raw> zip=<ratio to zip -r -1> rss=<peak MB, snapshots and zips>
 *          exchange_submit=<ratio to ngshare, 16 at once> exchange_collect=<ratio to ngshare> exchange_rss=<MB>
 *          pg_resnapshot=<PostgreSQL re-snapshot / SQLite's> replicas_first=<3 replicas' first snapshot / 1 replica's>
 *          listing_p99_ms=<SQLite>/<PostgreSQL>/<3 replicas>
 *          hash_floor=<seconds> walk_floor=<seconds> (what no first snapshot / re-snapshot can beat here: floors.ts)
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, get as httpGet, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type ExchangeTimes, measureExchange } from './exchange';
import { floor } from './floors';
import { type KindStats, rssMb, runLoadBench } from './load';
import { DEFAULT_READ_WORKERS } from '../../service/src/config';
import { freePort } from '../../service/test/support/hub';
import { waitForHealth } from '../../service/test/support/replicas';
import { balancerFor, type LoadResult, listingLoad, postgresForBench, sharedCookieSecret } from './scale-out';

/** The repository: the nearest folder above this file that holds the service (the build's depth may change). */
const ROOT = (() => {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir))
    if (existsSync(path.join(dir, 'service', 'package.json'))) return dir;
  throw new Error('not inside the repository');
})();
const WORK = path.join(ROOT, 'bench', '.work');
/** `npm run bench -- load [<homes> [<readers>]]`: the load benchmark alone (see load.ts). */
const LOAD_ONLY = process.argv[2] === 'load';
const ARGS = LOAD_ONLY ? process.argv.slice(3) : process.argv.slice(2);
const HOMES = Number(ARGS[0] ?? 300);
const ZIP_HOMES = Math.min(Number(ARGS[1] ?? 60), HOMES);
const TOKEN = 'bench-instructor-token';
/** ngshare 0.6.0's own venv (bench/run.sh makes it). */
const NGSHARE_PYTHON = path.join(ROOT, 'bench', '.venv-ngshare', 'bin', 'python');
/** The class that submits through the exchange, whatever the number of homes. */
const EXCHANGE_STUDENTS = 300;
/** Runs of each measurement and of its anchor; the ratios compare medians. */
const REPEATS = 3;

/** Deterministic bytes, so runs are comparable. */
function prng(seed: string): () => number {
  let state = createHash('sha256').update(seed).digest().readUInt32LE(0) || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

const WORDS = 'data frame mean model plot fit value test sample error regression variable column row index'.split(' ');

function notebook(seed: string, bytes: number): string {
  const random = prng(seed);
  const cells: unknown[] = [];
  let size = 0;
  while (size < bytes) {
    const words = Array.from({ length: 40 }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
    const source = `# ${seed} step ${cells.length}\nresult = ${Math.floor(random() * 1e9)}  # ${words}\n`;
    cells.push({
      cell_type: 'code',
      execution_count: cells.length,
      id: `c${cells.length}`,
      metadata: {},
      outputs: [{ output_type: 'stream', name: 'stdout', text: [words] }],
      source: [source],
    });
    size += source.length + words.length + 120;
  }
  return JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1);
}

function generateCourse(homes: string): number {
  const dataset = Buffer.alloc(2 * 1024 * 1024);
  const random = prng('dataset');
  for (let i = 0; i < dataset.length; i += 4) dataset.writeUInt32LE(Math.floor(random() * 2 ** 32), i);
  const past = new Date(Date.now() - 3600 * 1000);
  let raw = 0;
  const write = (file: string, content: string | Buffer) => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    utimesSync(file, past, past);
    raw += Buffer.byteLength(content);
  };
  for (let i = 1; i <= HOMES; i++) {
    const home = path.join(homes, `student${i}`);
    for (let a = 1; a <= 4; a++) {
      const size = 20_000 + Math.floor(prng(`size${i}-${a}`)() * 40_000);
      const content = notebook(`student${i}-assignment${a}`, size);
      write(path.join(home, `assignment-${a}.ipynb`), content);
      write(path.join(home, '.ipynb_checkpoints', `assignment-${a}-checkpoint.ipynb`), content);
    }
    for (let p = 1; p <= 3; p++) write(path.join(home, 'practice', `practice-${p}.ipynb`), notebook(`practice-${p}`, 8_000));
    write(path.join(home, 'data', 'dataset.bin'), dataset);
    write(path.join(home, '.local', 'state.json'), JSON.stringify({ student: i, opened: ['assignment-1.ipynb'] }));
  }
  return raw;
}

/** The load benchmark's one large home: a student who keeps many small files (a dataset split up, a cache). */
const LARGE_HOME_FILES = 20_000;

function generateLargeHome(home: string, files: number): void {
  const perFolder = 100;
  for (let folder = 0; folder * perFolder < files; folder++) {
    const dir = path.join(home, 'parts', `part-${folder}`);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < perFolder && folder * perFolder + i < files; i++) {
      writeFileSync(path.join(dir, `row-${i}.csv`), `folder,row\n${folder},${i}\n`);
    }
  }
}

function seconds(run: () => void): number {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function secondsAsync(run: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function treeBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += treeBytes(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

/**
 * Just enough of JupyterHub's API for the service: who a token is, and who the students are.
 * `bench-<user>` is that user's token; the instructor also manages courses (the admin scope).
 */
async function standInHub(students: string[]) {
  const identity = (user: string) =>
    user === 'instructor'
      ? {
          name: user,
          kind: 'user',
          admin: false,
          groups: ['instructors'],
          scopes: ['access:services', 'custom:coursework:instruct', 'custom:coursework:admin'],
        }
      : { name: user, kind: 'user', admin: false, groups: ['students'], scopes: ['access:services'] };
  const server = createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    const token = /^token (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const user = token === TOKEN ? 'instructor' : token?.startsWith('bench-') ? token.slice('bench-'.length) : undefined;
    if (req.url === '/hub/api/user' && user) {
      res.end(JSON.stringify(identity(user)));
    } else if (req.url === '/hub/api/groups/students') {
      res.end(JSON.stringify({ name: 'students', users: students }));
    } else if (req.url?.startsWith('/hub/api/groups/')) {
      res.statusCode = 404;
      res.end('{"status": 404, "message": "no such group"}');
    } else {
      res.statusCode = 403;
      res.end('{"status": 403, "message": null}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

interface RunningService {
  base: string;
  port: number;
  pid: number;
  rssAtStart: number;
  /** The highest RSS sampled (every 20 ms) since the service started or since the last call, in MB. */
  takePeakRss(): number;
  /** Takes a snapshot of every student; resolves with its full name once the job is done. */
  snapshot(name: string, headers: Record<string, string>): Promise<string>;
  stop(): Promise<void>;
}

interface ServiceOptions {
  /** A PostgreSQL catalog instead of SQLite in the data folder. */
  databaseUrl?: string;
  /** For replicas: each one's name, and the secret they share. */
  replicaId?: string;
  cookieSecret?: string;
}

/** Takes a snapshot of every student through `base`; resolves with its full name once the job is done. */
async function snapshotAt(base: string, name: string, headers: Record<string, string>): Promise<string> {
  const started = await fetch(`${base}api/v1/snapshots`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name, includeHidden: true }),
  });
  const { job } = (await started.json()) as { job: { id: string } };
  // A long poll: the service answers as the job ends, so the time is exact and no reads compete with the job.
  for (;;) {
    const state = (await (await fetch(`${base}api/v1/jobs/${job.id}?wait=60`, { headers })).json()) as {
      state: string;
      name: string;
      students: Record<string, { status: string }>;
    };
    if (state.state === 'failed') throw new Error(`snapshot ${name} failed: ${JSON.stringify(state)}`);
    if (state.state === 'done') {
      const failed = Object.entries(state.students).filter(([, s]) => s.status !== 'taken');
      if (failed.length > 0) throw new Error(`snapshot ${name}: ${failed.length} students not taken`);
      return state.name;
    }
  }
}

/** The service as its own process, with the flags and the malloc settings jupyterhub_config.d/coursework.py gives it. */
async function startService(hubPort: number, homes: string, dataDir: string, options: ServiceOptions = {}): Promise<RunningService> {
  const port = await freePort();
  const flags = ['--max-semi-space-size=2', '--heap-growing-percent=15'];
  const child = spawn(process.execPath, [...flags, path.join(ROOT, 'service', 'lib', 'main.js')], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      PATH: process.env.PATH,
      JUPYTERHUB_API_URL: `http://127.0.0.1:${hubPort}/hub/api`,
      JUPYTERHUB_API_TOKEN: 'bench-service-token',
      JUPYTERHUB_SERVICE_PREFIX: '/services/coursework/',
      JUPYTERHUB_SERVICE_URL: `http://127.0.0.1:${port}`,
      JUPYTERHUB_OAUTH_CALLBACK_URL: '/services/coursework/oauth_callback',
      COURSEWORK_DATA_DIR: dataDir,
      COURSEWORK_HOME_TEMPLATE: path.join(homes, '{username}'),
      COURSEWORK_LOG_LEVEL: 'warn',
      // The Hub config's values; set MALLOC_MMAP_THRESHOLD_ or MALLOC_ARENA_MAX to measure others.
      MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? '65537',
      MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '1',
      ...(process.env.COURSEWORK_READ_WORKERS ? { COURSEWORK_READ_WORKERS: process.env.COURSEWORK_READ_WORKERS } : {}),
      ...(options.databaseUrl ? { COURSEWORK_DATABASE_URL: options.databaseUrl } : {}),
      ...(options.replicaId ? { COURSEWORK_REPLICA_ID: options.replicaId } : {}),
      ...(options.cookieSecret ? { COURSEWORK_COOKIE_SECRET: options.cookieSecret } : {}),
    },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}/services/coursework/`;
  await waitForHealth(`${base}health`, 'the service', child, 10_000);
  const rssAtStart = rssMb(child.pid!);
  let peak = rssAtStart;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(child.pid!));
    } catch {
      // gone: its exit is handled by stop()
    }
  }, 20);
  void exited.then(() => clearInterval(sampler));
  return {
    base,
    port,
    pid: child.pid!,
    rssAtStart,
    takePeakRss() {
      const taken = Math.max(peak, rssMb(child.pid!));
      peak = 0;
      return taken;
    },
    snapshot: (name, headers) => snapshotAt(base, name, headers),
    async stop() {
      child.kill('SIGINT');
      await exited;
    },
  };
}

/** The load benchmark: readers through JupyterHub's proxy while a course snapshot runs, then straight at the service. */
async function mainLoad(): Promise<void> {
  const readers = Number(ARGS[1] ?? 200);
  rmSync(WORK, { recursive: true, force: true });
  const homes = path.join(WORK, 'homes');
  console.log(`generating ${HOMES} homes ...`);
  generateCourse(homes);
  execFileSync('sync');
  const students = Array.from({ length: HOMES }, (_, i) => `student${i + 1}`);
  const largeHome = { student: 'manyfiles', files: LARGE_HOME_FILES };
  generateLargeHome(path.join(homes, largeHome.student), largeHome.files);
  const options = { readers, seconds: 10, maxRequests: 60_000 };
  const result = await runLoadBench(homes, students, 'assignment-1.ipynb', options, largeHome);
  const row = (what: string, stats: KindStats) =>
    `${what.padEnd(34)} p50 ${stats.p50.toFixed(1).padStart(7)} ms   p99 ${stats.p99.toFixed(1).padStart(7)} ms   ${stats.requests} requests, ${stats.errors} errors`;
  for (const [label, load] of [
    ['through the proxy', result.proxied],
    ['straight at the service', result.direct],
  ] as const) {
    console.log(`\n${readers} readers ${label}, ${load.seconds.toFixed(1)} s:`);
    for (const kind of ['listing', 'files', 'file', 'zip'] as const) console.log(row(`  ${kind}`, load.kinds[kind]));
    console.log(row('  all', load.all));
  }
  const taken = result.snapshotSeconds;
  console.log(`\ncourse snapshots beside the proxied load: ${taken.length}, ${taken.map((t) => t.toFixed(2)).join(', ')} s`);
  console.log(
    `service RSS: ${result.rss.start.toFixed(0)} MB at the start, ${result.rss.peak.toFixed(0)} MB at the peak, ${result.rss.after.toFixed(0)} MB after`,
  );
  const { proxied, direct, floor, rss } = result;
  const large = result.largeHome!;
  console.log(
    `\n${readers} readers straight at the service, one more paging through a home of ${LARGE_HOME_FILES} files and one zipping it:`,
  );
  console.log(row('  the others, listing', large.others.kinds.listing));
  console.log(row('  the others, zip', large.others.kinds.zip));
  console.log(row('  the others, all', large.others.all));
  console.log(row('  a page of its files', large.pages));
  console.log(`  the first page, which reads its manifest: ${large.firstPageMs.toFixed(1)} ms`);
  console.log(row('  its zip', large.zips));
  console.log(`  service RSS ${large.rss.before.toFixed(0)} MB before, ${large.rss.peak.toFixed(0)} MB at the peak`);
  console.log(`\nthe floor: ${readers} readers asking for the service's health, nothing else running:`);
  console.log(row('  through the proxy', floor.proxied));
  console.log(row('  straight at the service', floor.direct));
  console.log(
    `load: p99_ms=${proxied.all.p99.toFixed(0)}/${direct.all.p99.toFixed(0)} listing_p99_ms=${proxied.kinds.listing.p99.toFixed(0)}/${direct.kinds.listing.p99.toFixed(0)} p50_ms=${proxied.all.p50.toFixed(1)}/${direct.all.p50.toFixed(1)} errors=${proxied.all.errors + direct.all.errors} rss_mb=${rss.start.toFixed(0)}/${rss.peak.toFixed(0)}/${rss.after.toFixed(0)} floor_p99_ms=${floor.proxied.p99.toFixed(0)}/${floor.direct.p99.toFixed(0)} large_home_p99_ms=${large.others.all.p99.toFixed(0)}/${direct.all.p99.toFixed(0)}`,
  );
}

async function main(): Promise<void> {
  for (const tool of ['rsync', 'zip', 'cp']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`]);
    } catch {
      throw new Error(`${tool} is needed for the comparison (Debian: apt-get install ${tool})`);
    }
  }
  rmSync(WORK, { recursive: true, force: true });
  const homes = path.join(WORK, 'homes');
  console.log(`generating ${HOMES} homes ...`);
  const raw = generateCourse(homes);
  console.log(`raw tree: ${(raw / 1e6).toFixed(1)} MB`);
  execFileSync('sync');

  // The anchors. Each is followed by `sync`, untimed, so that the next measurement does not pay for writing
  // back what the previous one left dirty (the service fsyncs its blobs; rsync, cp and zip do not).
  const settled = (run: () => void) => {
    const time = seconds(run);
    execFileSync('sync');
    return time;
  };
  // rsync's time swings widely from run to run on a shared disk: the median of three copies, each into a new folder.
  const rsyncRuns = Array.from({ length: REPEATS }, (_, i) =>
    settled(() => execFileSync('rsync', ['-a', `${homes}/`, path.join(WORK, `rsync-${i + 1}`)])),
  );
  const rsyncFirst = median(rsyncRuns);
  const rsyncLinkDest = settled(() =>
    execFileSync('rsync', ['-a', `--link-dest=${path.join(WORK, 'rsync-1')}`, `${homes}/`, path.join(WORK, 'rsync-link-dest')]),
  );
  const cpAlRuns = Array.from({ length: REPEATS }, (_, i) =>
    settled(() => execFileSync('cp', ['-al', path.join(WORK, 'rsync-1'), path.join(WORK, `cp-al-${i}`)])),
  );
  const cpAl = median(cpAlRuns);
  const zipHomes = Array.from({ length: ZIP_HOMES }, (_, i) => `student${i + 1}`);
  const zipAnchorRuns = Array.from({ length: REPEATS }, (_, i) =>
    settled(() => execFileSync('zip', ['-r', '-1', '-q', path.join(WORK, `anchor-${i + 1}.zip`), ...zipHomes], { cwd: homes })),
  );
  const zipAnchor = median(zipAnchorRuns);
  // The floors (see floors.ts), on as many threads as the service scans with by default.
  const floorThreads = DEFAULT_READ_WORKERS;
  const homeDirs = Array.from({ length: HOMES }, (_, i) => path.join(homes, `student${i + 1}`));
  const hashFloorRuns: number[] = [];
  const walkFloorRuns: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    hashFloorRuns.push((await floor('hash', homeDirs, floorThreads)).seconds);
    walkFloorRuns.push((await floor('walk', homeDirs, floorThreads)).seconds);
  }
  const hashFloor = median(hashFloorRuns);
  const walkFloor = median(walkFloorRuns);

  // The service, started as JupyterHub starts it, once per first snapshot (each into a new data folder); the
  // last one goes on to the re-snapshots and the zip.
  const students = Array.from({ length: HOMES }, (_, i) => `student${i + 1}`);
  const hub = await standInHub(students);
  const headers = { Authorization: `token ${TOKEN}`, 'Content-Type': 'application/json' };
  let service: RunningService | undefined;
  try {
    const firstRuns: number[] = [];
    // The service's memory through the whole course: peak RSS during each first snapshot, the re-snapshots, the zips.
    const firstPeaks: number[] = [];
    let firstName = '';
    for (let i = 1; i <= REPEATS; i++) {
      await service?.stop();
      service = await startService(hub.port, homes, path.join(WORK, `data-${i}`));
      const running = service;
      firstRuns.push(await secondsAsync(async () => void (firstName = await running.snapshot('bench first', headers))));
      firstPeaks.push(running.takePeakRss());
      execFileSync('sync');
    }
    const first = median(firstRuns);
    console.log(
      `first snapshot: ${firstRuns.map((t) => t.toFixed(2)).join(', ')} s; rsync -a ${rsyncRuns.map((t) => t.toFixed(2)).join(', ')} s`,
    );
    const { base, pid, rssAtStart } = service!;
    // Repeated, as a course re-snapshots again and again: the median, so one stray disk flush does not decide.
    const againRuns: number[] = [];
    for (let i = 0; i < REPEATS; i++)
      againRuns.push(await secondsAsync(async () => void (await service!.snapshot(`bench again ${i + 1}`, headers))));
    const again = median(againRuns);
    const againPeak = service!.takePeakRss();
    console.log(
      `re-snapshot: ${againRuns.map((t) => t.toFixed(3)).join(', ')} s; cp -al ${cpAlRuns.map((t) => t.toFixed(3)).join(', ')} s`,
    );
    const store = treeBytes(path.join(WORK, `data-${REPEATS}`, 'blobs'));

    const rssBeforeZip = rssMb(pid);
    // Each zip is written to disk, as zip -r writes its own, and then flushed, untimed, as the anchors are.
    const zipRuns: number[] = [];
    for (let i = 1; i <= REPEATS; i++) {
      const out = path.join(WORK, `service-${i}.zip`);
      zipRuns.push(
        await secondsAsync(async () => {
          // Node's own HTTP client: fetch's web streams cost the client more than the service's work (the bench
          // measures the service).
          const response = await new Promise<IncomingMessage>((resolve, reject) =>
            httpGet(`${base}api/v1/snapshots/${firstName}/zip?students=${zipHomes.join(',')}`, { headers }, resolve).once('error', reject),
          );
          if (response.statusCode !== 200) throw new Error(`zip: ${response.statusCode}`);
          await pipeline(response, createWriteStream(out));
        }),
      );
      execFileSync('sync');
    }
    const zipSeconds = median(zipRuns);
    const zipPeak = service!.takePeakRss();
    const peakRss = Math.max(...firstPeaks, againPeak, zipPeak);
    console.log(
      `zip of ${ZIP_HOMES}: ${zipRuns.map((t) => t.toFixed(2)).join(', ')} s; zip -r -1 ${zipAnchorRuns.map((t) => t.toFixed(2)).join(', ')} s`,
    );
    console.log(
      `peak RSS: first snapshots ${firstPeaks.map((mb) => mb.toFixed(0)).join(', ')} MB, re-snapshots ${againPeak.toFixed(0)} MB, zips ${zipPeak.toFixed(0)} MB`,
    );
    execFileSync('unzip', ['-tq', path.join(WORK, `service-${REPEATS}.zip`)]);
    // After the zips, whose peak RSS is measured above: 200 readers' connections and buffers would be counted in it.
    const sqliteLoad = await listingLoad(base, headers, students, LOAD);

    // jszip on the same 60 homes, for the record of why the service streams its own zips.
    const jszip = await jszipRun(homes, zipHomes);

    // nbgrader's exchange, against ngshare on the same submissions: a class of at most EXCHANGE_STUDENTS (ngshare's
    // time grows faster than its class; the exchange's measure is a class, not the course's every home).
    const exchangeStudents = students.slice(0, EXCHANGE_STUDENTS);
    const notebooks = new Map<string, string>();
    const submitted = (student: string, attempt: number) => {
      const key = `${student}/${attempt}`;
      if (!notebooks.has(key)) notebooks.set(key, notebook(`exchange-${key}`, 60_000));
      return notebooks.get(key)!;
    };
    // Three runs on each side; the ratios compare medians (ngshare's own times vary by a quarter from run to run here).
    // The service that took the snapshots stops first: the exchange's is the one its Hub starts, on a data folder of
    // its own, so that its memory is the exchange's.
    await service!.stop();
    service = undefined;
    const exchange = await measureExchange(
      NGSHARE_PYTHON,
      path.join(WORK, 'ngshare'),
      exchangeStudents,
      (run) => (student, attempt) => submitted(student, run * 10 + attempt),
      REPEATS,
    );
    const [ourRuns, theirRuns] = [exchange.ours, exchange.theirs];
    const scaleOut = await measureScaleOut(hub.port, homes, students, headers);

    const medianOf = (runs: ExchangeTimes[]) =>
      Object.fromEntries(
        (Object.keys(runs[0]!) as (keyof ExchangeTimes)[]).map((key) => [key, median(runs.map((run) => run[key]))]),
      ) as unknown as ExchangeTimes;
    const ours = medianOf(ourRuns);
    const theirs = medianOf(theirRuns);
    const ratio = (key: keyof ExchangeTimes) => ours[key] / theirs[key];
    const exchangeRow = (what: string, key: keyof ExchangeTimes): [string, string, string] => [
      `exchange: ${what} (median of ${REPEATS})`,
      `${ours[key].toFixed(2)} s`,
      `ngshare ${theirs[key].toFixed(2)} s (×${ratio(key).toFixed(3)}, ${(1 / ratio(key)).toFixed(1)}× faster); runs ${ourRuns.map((run) => run[key].toFixed(2)).join(', ')} vs ${theirRuns.map((run) => run[key].toFixed(2)).join(', ')}`,
    ];

    const rows: [string, string, string][] = [
      [
        `first snapshot, ${HOMES} homes (median of ${REPEATS})`,
        `${first.toFixed(2)} s`,
        `rsync -a ${rsyncFirst.toFixed(2)} s (×${(first / rsyncFirst).toFixed(2)}); runs ${firstRuns.map((t) => t.toFixed(2)).join(', ')} vs ${rsyncRuns.map((t) => t.toFixed(2)).join(', ')}; rsync --link-dest ${rsyncLinkDest.toFixed(2)} s; floor: SHA-256 of every byte on ${floorThreads} threads ${hashFloor.toFixed(2)} s (×${(first / hashFloor).toFixed(2)}; runs ${hashFloorRuns.map((t) => t.toFixed(2)).join(', ')})`,
      ],
      [
        `re-snapshot, unchanged (median of ${REPEATS})`,
        `${again.toFixed(3)} s`,
        `cp -al ${cpAl.toFixed(3)} s (×${(again / cpAl).toFixed(2)}); runs ${againRuns.map((t) => t.toFixed(3)).join(', ')} vs ${cpAlRuns.map((t) => t.toFixed(3)).join(', ')}; floor: the bare walk on ${floorThreads} threads ${walkFloor.toFixed(3)} s (×${(again / walkFloor).toFixed(2)}; runs ${walkFloorRuns.map((t) => t.toFixed(3)).join(', ')})`,
      ],
      ['store size', `${(store / 1e6).toFixed(1)} MB`, `raw ${(raw / 1e6).toFixed(1)} MB (${((store / raw) * 100).toFixed(2)}%)`],
      [
        `zip of ${ZIP_HOMES} homes (median of ${REPEATS})`,
        `${zipSeconds.toFixed(2)} s`,
        `zip -r -1 ${zipAnchor.toFixed(2)} s (×${(zipSeconds / zipAnchor).toFixed(2)}); runs ${zipRuns.map((t) => t.toFixed(2)).join(', ')} vs ${zipAnchorRuns.map((t) => t.toFixed(2)).join(', ')}; jszip ${jszip.seconds.toFixed(2)} s, +${jszip.heapMb.toFixed(0)} MB heap`,
      ],
      [
        'service peak RSS, snapshots and zips',
        `${peakRss.toFixed(0)} MB`,
        `first snapshots ${firstPeaks.map((mb) => mb.toFixed(0)).join(', ')} MB; re-snapshots ${againPeak.toFixed(0)} MB; zips ${zipPeak.toFixed(0)} MB (${rssBeforeZip.toFixed(0)} MB just before them); ${rssAtStart.toFixed(0)} MB at start`,
      ],
      [
        `first snapshot on PostgreSQL (median of ${REPEATS})`,
        `${scaleOut.pgFirst.toFixed(2)} s`,
        `SQLite ${first.toFixed(2)} s (×${(scaleOut.pgFirst / first).toFixed(2)}); runs ${scaleOut.pgFirstRuns.map((t) => t.toFixed(2)).join(', ')}`,
      ],
      [
        `re-snapshot on PostgreSQL (median of ${REPEATS})`,
        `${scaleOut.pgAgain.toFixed(3)} s`,
        `SQLite ${again.toFixed(3)} s (×${(scaleOut.pgAgain / again).toFixed(2)}); runs ${scaleOut.pgAgainRuns.map((t) => t.toFixed(3)).join(', ')}`,
      ],
      [
        `first snapshot, 3 replicas (median of ${REPEATS})`,
        `${scaleOut.replicasFirst.toFixed(2)} s`,
        `one replica on PostgreSQL ${scaleOut.pgFirst.toFixed(2)} s (×${(scaleOut.replicasFirst / scaleOut.pgFirst).toFixed(2)}); runs ${scaleOut.replicasFirstRuns.map((t) => t.toFixed(2)).join(', ')}`,
      ],
      [
        `re-snapshot, 3 replicas (median of ${REPEATS})`,
        `${scaleOut.replicasAgain.toFixed(3)} s`,
        `one replica on PostgreSQL ${scaleOut.pgAgain.toFixed(3)} s (×${(scaleOut.replicasAgain / scaleOut.pgAgain).toFixed(2)})`,
      ],
      loadRow('SQLite', sqliteLoad),
      loadRow('PostgreSQL', scaleOut.pgLoad),
      loadRow('3 replicas, HAProxy', scaleOut.replicasLoad),
      exchangeRow(`${exchangeStudents.length} submissions, one at a time`, 'submitOneByOne'),
      exchangeRow(`${exchangeStudents.length} submissions, 16 at once`, 'submitConcurrent'),
      exchangeRow(`collect ${exchangeStudents.length} (list, then each)`, 'collect'),
      [
        'service peak RSS during the exchange',
        `${exchange.rssPeak.toFixed(0)} MB`,
        `${exchange.rssAtStart.toFixed(0)} MB at its start; course set-up: ours ${ours.setup.toFixed(2)} s, ngshare ${theirs.setup.toFixed(2)} s`,
      ],
    ];
    console.log('');
    for (const [what, ours, anchor] of rows) console.log(`${what.padEnd(40)} ${ours.padStart(10)}   ${anchor}`);
    console.log('');
    console.log(
      `bench: first=${(first / rsyncFirst).toFixed(3)} resnapshot=${again.toFixed(3)} store=${(store / raw).toFixed(4)} zip=${(zipSeconds / zipAnchor).toFixed(3)} rss=${peakRss.toFixed(0)} exchange_submit=${ratio('submitConcurrent').toFixed(3)} exchange_collect=${ratio('collect').toFixed(3)} exchange_rss=${exchange.rssPeak.toFixed(0)} pg_resnapshot=${(scaleOut.pgAgain / again).toFixed(3)} replicas_first=${(scaleOut.replicasFirst / scaleOut.pgFirst).toFixed(3)} listing_p99_ms=${sqliteLoad.p99.toFixed(0)}/${scaleOut.pgLoad.p99.toFixed(0)}/${scaleOut.replicasLoad.p99.toFixed(0)} hash_floor=${hashFloor.toFixed(2)} walk_floor=${walkFloor.toFixed(3)}`,
    );
  } finally {
    await service?.stop();
    hub.server.close();
  }
}

/** The listing load each set-up gets: 200 readers, bounded in time and in requests. */
const LOAD = { readers: 200, seconds: 10, maxRequests: 50_000 };

const loadRow = (what: string, load: LoadResult): [string, string, string] => [
  `listing p99, ${LOAD.readers} readers: ${what}`,
  `${load.p99.toFixed(0)} ms`,
  `p50 ${load.p50.toFixed(1)} ms; ${load.requests} requests in ${LOAD.seconds} s at most, ${load.errors} errors`,
];

interface ScaleOut {
  pgFirstRuns: number[];
  pgFirst: number;
  pgAgainRuns: number[];
  pgAgain: number;
  pgLoad: LoadResult;
  replicasFirstRuns: number[];
  replicasFirst: number;
  replicasAgain: number;
  replicasLoad: LoadResult;
}

/**
 * The same first snapshot and re-snapshots with the catalog on PostgreSQL: one replica, then three behind HAProxy
 * sharing the database and the data folder (each first snapshot into a new database and folder).
 */
async function measureScaleOut(hubPort: number, homes: string, students: string[], headers: Record<string, string>): Promise<ScaleOut> {
  const postgres = await postgresForBench();
  const running: RunningService[] = [];
  const stopAll = async () => {
    for (const s of running.splice(0)) await s.stop();
  };
  try {
    const pgFirstRuns: number[] = [];
    for (let i = 1; i <= REPEATS; i++) {
      await stopAll();
      running.push(await startService(hubPort, homes, path.join(WORK, `pg-data-${i}`), { databaseUrl: await postgres.database() }));
      pgFirstRuns.push(await secondsAsync(async () => void (await running[0]!.snapshot('bench first', headers))));
      execFileSync('sync');
    }
    const pgAgainRuns: number[] = [];
    for (let i = 0; i < REPEATS; i++)
      pgAgainRuns.push(await secondsAsync(async () => void (await running[0]!.snapshot(`bench again ${i + 1}`, headers))));
    const pgLoad = await listingLoad(running[0]!.base, headers, students, LOAD);
    await stopAll();

    const replicasFirstRuns: number[] = [];
    let balancer: { base: string; stop(): void } | undefined;
    for (let i = 1; i <= REPEATS; i++) {
      balancer?.stop();
      await stopAll();
      const databaseUrl = await postgres.database();
      const cookieSecret = sharedCookieSecret();
      const dataDir = path.join(WORK, `replicas-data-${i}`);
      running.push(
        ...(await Promise.all(
          [1, 2, 3].map((r) => startService(hubPort, homes, dataDir, { databaseUrl, replicaId: `replica-${r}`, cookieSecret })),
        )),
      );
      balancer = await balancerFor(
        WORK,
        running.map((s) => s.port),
      );
      const base = balancer.base;
      replicasFirstRuns.push(await secondsAsync(async () => void (await snapshotAt(base, 'bench first', headers))));
      execFileSync('sync');
    }
    const replicasAgainRuns: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      replicasAgainRuns.push(await secondsAsync(async () => void (await snapshotAt(balancer!.base, `bench again ${i + 1}`, headers))));
    }
    const replicasLoad = await listingLoad(balancer!.base, headers, students, LOAD);
    balancer!.stop();
    return {
      pgFirstRuns,
      pgFirst: median(pgFirstRuns),
      pgAgainRuns,
      pgAgain: median(pgAgainRuns),
      pgLoad,
      replicasFirstRuns,
      replicasFirst: median(replicasFirstRuns),
      replicasAgain: median(replicasAgainRuns),
      replicasLoad,
    };
  } finally {
    await stopAll();
    postgres.cluster.destroy();
  }
}

async function jszipRun(homes: string, students: string[]): Promise<{ seconds: number; heapMb: number }> {
  const JSZip = (await import('jszip')).default;
  const before = process.memoryUsage().rss;
  let after = before;
  const secondsTaken = await secondsAsync(async () => {
    const zip = new JSZip();
    const add = (dir: string, prefix: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) add(full, `${prefix}${entry.name}/`);
        else zip.file(`${prefix}${entry.name}`, readFileSync(full));
      }
    };
    for (const student of students) add(path.join(homes, student), `${student}/`);
    const out = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 1 } });
    after = process.memoryUsage().rss;
    writeFileSync(path.join(WORK, 'jszip.zip'), out);
  });
  return { seconds: secondsTaken, heapMb: (after - before) / 1e6 };
}

(LOAD_ONLY ? mainLoad() : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
