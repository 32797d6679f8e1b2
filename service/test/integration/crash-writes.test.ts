/**
 * The service killed with SIGKILL while it writes blobs, fifty times in a row: every start resumes the jobs the
 * last one left, and afterwards `coursework check` reads every blob back and finds nothing broken, and every
 * snapshot the catalog lists has all its bytes. A start after an unclean stop hashes the blobs written last. The service processes are started by this test (the Hub would
 * take up to 30 s to notice each death); the real Hub answers their token and group lookups.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, watch, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { type CheckReport, CourseworkClient } from '@coursework/client';
import { freePort, REPO, type RunningHub, startHub } from '../support/hub';

const STUDENTS = Array.from({ length: 16 }, (_, i) => `crash${String(i + 1).padStart(2, '0')}`);
const ROUNDS = 50;

let hub: RunningHub;
let dataDir: string;
let instructorToken: string;

beforeAll(async () => {
  hub = await startHub();
  expect((await hub.api('POST', '/users', { usernames: STUDENTS })).status).toBe(201);
  expect((await hub.api('POST', '/groups/students/users', { users: STUDENTS })).status).toBe(200);
  instructorToken = (await hub.issueToken('instructor')).token;
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'coursework-crash-data-'));
}, 120000);

afterAll(async () => {
  await hub?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The built service, started as JupyterHub would start it, on its own data folder. */
async function startService(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(REPO, 'service', 'lib', 'main.js')], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      PATH: process.env.PATH,
      JUPYTERHUB_API_URL: `${hub.url}/hub/api`,
      JUPYTERHUB_API_TOKEN: hub.adminToken,
      JUPYTERHUB_SERVICE_NAME: 'coursework',
      JUPYTERHUB_SERVICE_PREFIX: '/services/coursework/',
      JUPYTERHUB_SERVICE_URL: `http://127.0.0.1:${port}`,
      JUPYTERHUB_OAUTH_CALLBACK_URL: '/services/coursework/oauth_callback',
      COURSEWORK_DATA_DIR: dataDir,
      COURSEWORK_HOME_TEMPLATE: `${hub.homes}/{username}`,
      COURSEWORK_LOG_LEVEL: 'error',
      // Every round asks for a whole-course snapshot while the killed rounds' jobs wait to be resumed.
      COURSEWORK_MAX_JOBS_PER_CALLER: '100',
    },
  });
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode}) before it answered`);
    if (
      await fetch(`http://127.0.0.1:${port}/services/coursework/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return child;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the service did not answer within 10 s');
}

function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** New bytes in every home, so that each round writes new blobs: small files (the in-memory path) and a large one. */
function changeHomes(round: number): void {
  for (const [i, student] of STUDENTS.entries()) {
    const dir = path.join(hub.homes, student, 'work');
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 3; f++) writeFileSync(path.join(dir, `round-${round}-${f}.bin`), randomBytes(150 * 1024));
    if (i % 8 === round % 8) writeFileSync(path.join(dir, `round-${round}-large.bin`), randomBytes(9 * 1024 * 1024));
  }
}

function newestBlob(): { file: string; mtime: Date } {
  const blobs = path.join(dataDir, 'blobs');
  let newest = { file: '', mtime: new Date(0) };
  for (const folder of readdirSync(blobs)) {
    if (!/^[0-9a-f]{2}$/.test(folder)) continue;
    for (const name of readdirSync(path.join(blobs, folder))) {
      if (!/^[0-9a-f]{64}$/.test(name)) continue;
      const { mtime } = statSync(path.join(blobs, folder, name));
      if (mtime > newest.mtime) newest = { file: path.join(blobs, folder, name), mtime };
    }
  }
  return newest;
}

function strayTemporaryFiles(): number {
  const blobs = path.join(dataDir, 'blobs');
  let count = 0;
  for (const folder of readdirSync(blobs)) {
    if (/^[0-9a-f]{2}$/.test(folder)) count += readdirSync(path.join(blobs, folder)).filter((name) => name.startsWith('.tmp-')).length;
  }
  return count;
}

/**
 * Resolves once a blob's temporary file has lived a few milliseconds (a large write under way), or after `ms`.
 * Small blobs are written and renamed within a fraction of a millisecond: a kill at a random moment seldom lands in
 * one, and on some machines not once in fifty rounds.
 */
function writeUnderWay(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watch(dataDir, { recursive: true }, (_event, name) => {
      const file = name ? path.join(dataDir, name) : '';
      if (!path.basename(file).startsWith('.tmp-')) return;
      setTimeout(() => existsSync(file) && done(), 3);
    });
    const timer = setTimeout(() => done(), ms);
    const done = () => {
      clearTimeout(timer);
      watcher.close();
      resolve();
    };
  });
}

it('loses nothing when killed in the middle of blob writes, fifty times', async () => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/services/coursework/`;
  const headers = { Authorization: `token ${instructorToken}`, 'Content-Type': 'application/json' };
  const jobs: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    changeHomes(round);
    const service = await startService(port);
    const answer = await fetch(`${base}api/v1/snapshots`, { method: 'POST', headers, body: JSON.stringify({ name: `round ${round}` }) });
    expect(answer.status).toBe(202);
    jobs.push(((await answer.json()) as { job: { id: string } }).job.id);
    // Half the kills come at a random moment, half in the middle of a large blob's write.
    if (round % 2 === 0) await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 300));
    else await writeUnderWay(2000);
    await kill(service, 'SIGKILL');
  }
  // Writes were cut off: their temporary files are left (blob collection removes them later).
  expect(strayTemporaryFiles()).toBeGreaterThan(0);
  // The last blob written before the last kill, its bytes changed with its length kept, as a power loss can leave
  // it: only its hash shows it, and the next start hashes what the killed run wrote last.
  const last = newestBlob();
  const bytes = readFileSync(last.file);
  bytes[bytes.length - 1] ^= 0xff;
  writeFileSync(last.file, bytes);
  utimesSync(last.file, last.mtime, last.mtime);

  // A last start finishes every job the kills interrupted.
  const service = await startService(port);
  const client = new CourseworkClient({ baseUrl: base, token: instructorToken });
  try {
    for (const id of jobs) {
      const job = await client.waitForJob(id, { timeoutMs: 120000 });
      expect(job.state).toBe('done');
      expect(Object.values(job.students).filter((s) => s.status !== 'taken' && s.status !== 'exists')).toEqual([]);
    }
  } finally {
    await kill(service, 'SIGTERM');
  }
  expect(readdirSync(path.join(dataDir, 'blobs', 'quarantine'))).toEqual([
    expect.stringMatching(new RegExp(`^${path.basename(last.file)}\\.`)),
  ]);

  const catalog = new SQLite(path.join(dataDir, 'catalog.sqlite'), { readonly: true });
  const snapshots = (catalog.prepare('SELECT COUNT(*) AS n FROM snapshots WHERE deleted_at IS NULL').get() as { n: number }).n;
  catalog.close();
  expect(snapshots).toBe((STUDENTS.length + 3) * ROUNDS);

  const { code, report } = await new Promise<{ code: number; report: CheckReport }>((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(REPO, 'service', 'lib', 'cli.js'), 'check', '--json', '--report-only', '--read-data-subset=all'],
      {
        env: { PATH: process.env.PATH, COURSEWORK_DATA_DIR: dataDir, COURSEWORK_HOME_TEMPLATE: `${hub.homes}/{username}` },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        try {
          resolve({ code: error ? Number(error.code) : 0, report: JSON.parse(stdout) as CheckReport });
        } catch {
          reject(new Error(`coursework check failed: ${stderr}`));
        }
      },
    );
  });
  expect(report.broken).toEqual([]);
  expect(report.hashed).toBe(report.blobs);
  expect(code).toBe(0);
}, 600000);
