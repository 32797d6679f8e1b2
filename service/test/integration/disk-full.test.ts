/**
 * The data disk fills up, for real: the service's data folder is a small tmpfs (mounted by this test, which needs
 * root, as CI has), three students hold more incompressible bytes than it can take, and a whole-course snapshot
 * runs into the wall. Nothing damaged may be recorded or served, every student gets an outcome, the operator gets
 * 507s; once the disk is enlarged, a new snapshot is byte-for-byte the homes and `coursework check` finds the store
 * whole. Then blobs are damaged by hand: reads refuse them at once, the check quarantines and repairs them from
 * the homes, and names the files nothing can repair.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { type CheckReport, CourseworkClient, type Job } from '@coursework/client';
import { HEADER_BYTES } from '../../src/blobs/blob-store';
import { REPO, type RunningHub, startHub } from '../support/hub';
import { expectMatchesContract } from '../support/openapi-validator';

const STUDENTS = ['student1', 'student2', 'student3'];
const MiB = 1024 * 1024;
/** Above the largest file, so that removing a write the full disk cut short does not lift the disk over it. */
const FLOOR = '12M';

let mountPoint: string;
let hub: RunningHub;
let instructor: CourseworkClient;
let instructorToken: string;

function requireRoot(): void {
  if (process.getuid?.() !== 0 || process.platform !== 'linux') {
    throw new Error('the disk-full tests mount a tmpfs as the data disk: run them as root on Linux (CI does)');
  }
}

const blobsDir = () => path.join(mountPoint, 'blobs');

/** Every blob file on the disk, with what its header promises and what the file holds. */
function blobFiles(): { sha256: string; size: number; promised: number }[] {
  const out: { sha256: string; size: number; promised: number }[] = [];
  for (const folder of readdirSync(blobsDir())) {
    if (!/^[0-9a-f]{2}$/.test(folder)) continue;
    for (const name of readdirSync(path.join(blobsDir(), folder))) {
      if (!/^[0-9a-f]{64}$/.test(name)) continue;
      const file = path.join(blobsDir(), folder, name);
      const header = readFileSync(file).subarray(0, HEADER_BYTES);
      const promised = header.length === HEADER_BYTES ? HEADER_BYTES + Number(header.readBigUInt64LE(20)) : -1;
      out.push({ sha256: name, size: statSync(file).size, promised });
    }
  }
  return out;
}

/** The blobs live snapshots and feedback files need, from the catalog, with what needs each. */
function referencedBlobs(): Map<string, string> {
  const catalog = new SQLite(path.join(mountPoint, 'catalog.sqlite'), { readonly: true });
  try {
    const rows = catalog.prepare('SELECT student, name, manifest FROM snapshots WHERE deleted_at IS NULL').all() as {
      student: string;
      name: string;
      manifest: string;
    }[];
    const needed = new Map<string, string>();
    for (const row of rows) {
      for (const entry of JSON.parse(row.manifest) as { path: string; sha256: string | null }[]) {
        if (entry.sha256) needed.set(entry.sha256, `${row.student}/${row.name}/${entry.path}`);
      }
    }
    const feedback = catalog.prepare('SELECT student, assignment, path, sha256 FROM feedback_files').all() as {
      student: string;
      assignment: string;
      path: string;
      sha256: string;
    }[];
    for (const row of feedback) needed.set(row.sha256, `feedback ${row.student}/${row.assignment}/${row.path}`);
    return needed;
  } finally {
    catalog.close();
  }
}

function expectStoreWhole(): void {
  const files = blobFiles();
  expect(files.filter((f) => f.size !== f.promised)).toEqual([]);
  const present = new Set(files.map((f) => f.sha256));
  const lost = [...referencedBlobs()].filter(([sha256]) => !present.has(sha256)).map(([, where]) => where);
  expect(lost).toEqual([]);
}

/** Writes a filler file into the data disk until it is full. */
function fillDisk(): string {
  const filler = path.join(mountPoint, `filler-${randomBytes(4).toString('hex')}`);
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(MiB, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return filler;
}

async function snapshotAndWait(name: string): Promise<Job> {
  const { job } = await instructor.snapshot({ name });
  return instructor.waitForJob(job.id, { timeoutMs: 60000 });
}

function runCheck(...args: string[]): Promise<{ code: number; report: CheckReport }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(REPO, 'service', 'lib', 'cli.js'), 'check', '--json', ...args],
      { env: { ...process.env, COURSEWORK_DATA_DIR: mountPoint, COURSEWORK_HOME_TEMPLATE: `${hub.homes}/{username}` } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        try {
          resolve({ code, report: JSON.parse(stdout) as CheckReport });
        } catch {
          reject(new Error(`coursework check failed (${code}): ${stderr}`));
        }
      },
    );
  });
}

const get = (url: string) => fetch(url, { headers: { Authorization: `token ${instructorToken}` }, signal: AbortSignal.timeout(20000) });

beforeAll(async () => {
  requireRoot();
  mountPoint = mkdtempSync(path.join(os.tmpdir(), 'coursework-small-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m,mode=0700', 'tmpfs', mountPoint]);
  hub = await startHub({
    env: {
      COURSEWORK_DATA_DIR: mountPoint,
      COURSEWORK_MIN_FREE_SPACE: FLOOR,
      COURSEWORK_SNAPSHOT_CONCURRENCY: '1',
      COURSEWORK_READ_WORKERS: '1',
    },
  });
  instructorToken = (await hub.issueToken('instructor')).token;
  instructor = new CourseworkClient({ baseUrl: hub.serviceUrl, token: instructorToken });
}, 120000);

afterAll(async () => {
  if (process.env.SHOW_HUB_LOG) console.log(hub?.log().slice(-6000));
  await hub?.stop();
  if (mountPoint) {
    execFileSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  }
});

describe('a data disk that fills up during a course snapshot', () => {
  let before: Job;
  let fullDisk: Job;

  it('takes the small homes first', async () => {
    before = await snapshotAndWait('before');
    expect(Object.values(before.students).map((s) => s.status)).toEqual(['taken', 'taken', 'taken']);
  });

  it('gives every student an outcome and records nothing damaged', async () => {
    // 30 MiB of incompressible files each, on a 48 MiB disk: the first fits, the second fills the disk, the third
    // finds it below the floor.
    for (const student of STUDENTS) {
      const dir = path.join(hub.homes, student, 'data');
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < 4; i++) writeFileSyncSized(path.join(dir, `part-${i}.bin`), 5 * MiB);
      writeFileSyncSized(path.join(dir, 'large.bin'), 10 * MiB);
    }
    const job = await snapshotAndWait('full disk');
    fullDisk = job;
    expect(['done', 'failed']).toContain(job.state);
    const outcomes = Object.fromEntries(Object.entries(job.students).map(([student, outcome]) => [student, outcome.status]));
    expect(outcomes).toEqual({ student1: 'taken', student2: 'failed', student3: 'not-taken' });
    expect(job.students.student2!.error).toBe("the service's data disk is full");
    expect(job.students.student3!.error).toMatch(
      /^Not taken: the data disk has .* free, below the minimum of 12\.0 MiB \(COURSEWORK_MIN_FREE_SPACE\)$/,
    );
    expectStoreWhole();
    const listed = await instructor.studentSnapshots('student2');
    expect(listed.map((s) => s.name)).toEqual([before.name]);
  });

  it('answers 507 to work that stores bytes, and keeps serving what it has', async () => {
    const filler = fillDisk();
    try {
      const snapshot = await fetch(`${hub.serviceUrl}api/v1/snapshots`, {
        method: 'POST',
        headers: { Authorization: `token ${instructorToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'no room' }),
      });
      expect(snapshot.status).toBe(507);
      const snapshotError = (await snapshot.json()) as { status: number; message: string };
      expectMatchesContract('createSnapshots', 507, snapshotError);
      expect(snapshotError.message).toMatch(/^No snapshot was started: the data disk has .* free/);

      const form = new FormData();
      form.append('files', new Blob([randomBytes(256 * 1024)]), 'report.html');
      const release = await fetch(`${hub.serviceUrl}api/v1/students/student1/feedback/ps1`, {
        method: 'POST',
        headers: { Authorization: `token ${instructorToken}` },
        body: form,
      });
      expect(release.status).toBe(507);
      const releaseError = (await release.json()) as { status: number; message: string };
      expectMatchesContract('releaseFeedback', 507, releaseError);
      expect(releaseError.status).toBe(507);
      // Nothing of the refused release was recorded.
      expect(await instructor.studentFeedbackList('student1')).toEqual([]);
      expect(releaseError.message).not.toContain(mountPoint);
      // No absolute path of the server's, whatever it is.
      expect(releaseError.message).not.toMatch(/(^|[\s'"(])\/\w/);

      // Downloads still work (their audit rows wait for the catalog), through the Hub's proxy.
      for (const student of STUDENTS) {
        const files = await instructor.snapshotFiles(student, before.name);
        const file = files.find((f) => f.type === 'file')!;
        const answer = await get(instructor.snapshotFileUrl(student, before.name, file.path));
        expect(answer.status).toBe(200);
        expect(Buffer.from(await answer.arrayBuffer()).equals(readFileSync(path.join(hub.homes, student, file.path)))).toBe(true);
      }
      const answer = await get(instructor.snapshotFileUrl('student1', fullDisk.name, 'data/large.bin'));
      expect(answer.status).toBe(200);
      expect(Buffer.from(await answer.arrayBuffer()).equals(readFileSync(path.join(hub.homes, 'student1', 'data', 'large.bin')))).toBe(
        true,
      );
      expectStoreWhole();
    } finally {
      rmSync(filler);
    }
  });

  it('recovers when the disk is enlarged: the next snapshot is the homes, byte for byte, and the check finds nothing', async () => {
    execFileSync('mount', ['-o', 'remount,size=256m', mountPoint]);
    const job = await snapshotAndWait('recovery');
    expect(job.state).toBe('done');
    expect(Object.values(job.students).map((s) => s.status)).toEqual(['taken', 'taken', 'taken']);
    for (const student of STUDENTS) {
      for (const file of await instructor.snapshotFiles(student, job.name, { limit: 200 })) {
        if (file.type !== 'file') continue;
        const answer = await get(instructor.snapshotFileUrl(student, job.name, file.path));
        expect(answer.status).toBe(200);
        expect(Buffer.from(await answer.arrayBuffer()).equals(readFileSync(path.join(hub.homes, student, file.path)))).toBe(true);
      }
    }
    expectStoreWhole();
    const { code, report } = await runCheck('--read-data-subset=all');
    expect(report.broken).toEqual([]);
    expect(report.hashed).toBe(report.blobs);
    expect(code).toBe(0);
    // The downloads made while the catalog's disk was full are in the audit log now.
    let audited = 0;
    for (let i = 0; i < 40 && audited < STUDENTS.length + 1; i++) {
      audited = (await instructor.audit({ action: 'snapshot.downloaded' }, { limit: 200 })).length;
      if (audited < STUDENTS.length + 1) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(audited).toBeGreaterThanOrEqual(STUDENTS.length + 1);
  });

  it('releases feedback larger than the room left only once there is room, and serves it whole', async () => {
    const report = randomBytes(12 * MiB);
    const filler = fillDisk();
    try {
      const form = new FormData();
      form.append('files', new Blob([report]), 'report.pdf');
      const refused = await fetch(`${hub.serviceUrl}api/v1/students/student2/feedback/ps1`, {
        method: 'POST',
        headers: { Authorization: `token ${instructorToken}` },
        body: form,
      });
      expect(refused.status).toBe(507);
      expect(await instructor.studentFeedbackList('student2')).toEqual([]);
    } finally {
      rmSync(filler);
    }
    await instructor.releaseFeedback('student2', 'ps1', { 'report.pdf': report });
    const answer = await get(instructor.feedbackFileUrl('student2', 'ps1', 'report.pdf'));
    expect(Buffer.from(await answer.arrayBuffer()).equals(report)).toBe(true);
    expectStoreWhole();
  });
});

describe('blobs damaged on disk', () => {
  const largeBlob = async (student: string, snapshot: string, file: string) => {
    const entry = (await instructor.snapshotFiles(student, snapshot, { limit: 200 })).find((f) => f.path === file)!;
    return { entry, blob: path.join(blobsDir(), entry.sha256!.slice(0, 2), entry.sha256!) };
  };
  const recovery = () => instructor.studentSnapshots('student1').then((list) => list[0]!.name);

  it('refuses to serve a truncated blob at once, and the check repairs it from the home', async () => {
    const name = await recovery();
    const { entry, blob } = await largeBlob('student1', name, 'data/part-1.bin');
    truncateSync(blob, 1000);
    const started = Date.now();
    const answer = await get(instructor.snapshotFileUrl('student1', name, entry.path));
    expect(answer.status).toBe(500);
    const refusal = (await answer.json()) as { message: string };
    expectMatchesContract('getSnapshotFile', 500, refusal);
    expect(refusal.message).toMatch(/damaged/);
    expect(Date.now() - started).toBeLessThan(10000);
    // Set aside, never served again; the check finds it missing and stores it again from the home.
    expect(readdirSync(path.join(blobsDir(), 'quarantine'))).toEqual([expect.stringMatching(new RegExp(`^${entry.sha256}\\.`))]);
    const { code, report } = await runCheck();
    expect(report.broken).toEqual([
      {
        sha256: entry.sha256,
        problem: 'missing',
        repairedFrom: { student: 'student1', path: 'data/part-1.bin' },
        neededBy: expect.arrayContaining([`student1/${name}: data/part-1.bin`]),
      },
    ]);
    expect(code).toBe(0);
    const again = await get(instructor.snapshotFileUrl('student1', name, entry.path));
    expect(Buffer.from(await again.arrayBuffer()).equals(readFileSync(path.join(hub.homes, 'student1', entry.path)))).toBe(true);
  });

  it('finds a truncated blob nobody read yet, through the API as well', async () => {
    const name = await recovery();
    const { entry, blob } = await largeBlob('student2', name, 'data/large.bin');
    truncateSync(blob, 5 * MiB);
    const report = await instructor.checkStore({ readDataSubset: 'none' });
    expectMatchesContract('checkStore', 200, report);
    expect(report.broken).toEqual([
      {
        sha256: entry.sha256,
        problem: 'short',
        repairedFrom: { student: 'student2', path: 'data/large.bin' },
        neededBy: expect.arrayContaining([`student2/${name}: data/large.bin`]),
      },
    ]);
    expect(report.ok).toBe(true);
    expectStoreWhole();
  });

  it('names the files of a snapshot whose bytes nothing can repair', async () => {
    const name = await recovery();
    const { entry, blob } = await largeBlob('student3', name, 'data/part-2.bin');
    // The home no longer has the file: nothing to repair it from.
    rmSync(path.join(hub.homes, 'student3', entry.path));
    truncateSync(blob, 100);
    const { code, report } = await runCheck('--read-data-subset=none');
    expect(report.broken).toEqual([
      { sha256: entry.sha256, problem: 'short', neededBy: expect.arrayContaining([`student3/${name}: data/part-2.bin`]) },
    ]);
    expect(report.damaged.snapshots).toBeGreaterThanOrEqual(1);
    expect(code).toBe(1);
    const detail = await instructor.studentSnapshot('student3', name);
    expect(detail.damaged).toEqual(['data/part-2.bin']);
    const answer = await get(instructor.snapshotFileUrl('student3', name, entry.path));
    expect(answer.status).toBe(500);
    expect(((await answer.json()) as { message: string }).message).toMatch(/missing/);
  });
});

function writeFileSyncSized(file: string, bytes: number): void {
  const fd = openSync(file, 'w');
  try {
    for (let written = 0; written < bytes; written += MiB) writeSync(fd, randomBytes(Math.min(MiB, bytes - written)));
  } finally {
    closeSync(fd);
  }
}
