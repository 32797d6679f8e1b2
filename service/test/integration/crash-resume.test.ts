/**
 * A whole-course snapshot survives the service being killed part-way: JupyterHub restarts its managed service,
 * which resumes the job; no half snapshot is ever listed, and none finished before the kill is lost or doubled.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CourseworkClient, type Job } from '@coursework/client';
import { BlobStore } from '../../src/blobs/blob-store';
import { type RunningHub, startHub } from '../support/hub';

const EXTRA_STUDENTS = Array.from({ length: 400 }, (_, i) => `learner${String(i + 1).padStart(3, '0')}`);

let hub: RunningHub;

beforeAll(async () => {
  hub = await startHub({ env: { COURSEWORK_SNAPSHOT_CONCURRENCY: '1' } });
  expect((await hub.api('POST', '/users', { usernames: EXTRA_STUDENTS })).status).toBe(201);
  expect((await hub.api('POST', '/groups/students/users', { users: EXTRA_STUDENTS })).status).toBe(200);
  for (const student of EXTRA_STUDENTS) {
    const home = path.join(hub.homes, student);
    mkdirSync(path.join(home, 'work'), { recursive: true });
    for (let i = 0; i < 8; i++)
      writeFileSync(path.join(home, 'work', `part-${i}.ipynb`), JSON.stringify({ student, part: i, text: 'x'.repeat(2000 + i) }));
  }
}, 120000);

afterAll(() => hub?.stop());

async function servicePid(): Promise<number | null> {
  const response = await hub.api('GET', '/services/coursework');
  return ((await response.json()) as { pid: number | null }).pid;
}

it('resumes a whole-course job after the service is killed, leaving no half snapshot', async () => {
  const instructor = new CourseworkClient({ baseUrl: hub.serviceUrl, token: (await hub.issueToken('instructor')).token });
  const { job } = await instructor.snapshot({ name: 'final exam' });
  let seen: Job = job;
  while (seen.done < 5) seen = await instructor.job(job.id);
  expect(seen.done).toBeLessThan(seen.total);

  const pid = (await servicePid())!;
  process.kill(pid, 'SIGKILL');
  // JupyterHub notices and starts the service again (it polls every 30 s).
  let back = false;
  for (let i = 0; i < 90 && !back; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = await servicePid();
    back =
      now !== null &&
      now !== pid &&
      (await fetch(`${hub.serviceUrl}health`).then(
        (r) => r.ok,
        () => false,
      ));
  }
  expect(back).toBe(true);

  const done = await instructor.waitForJob(job.id, { intervalMs: 250, timeoutMs: 60000 });
  expect(done.state).toBe('done');
  expect(done.total).toBe(EXTRA_STUDENTS.length + 3);
  const statuses = Object.values(done.students).map((s) => s.status);
  expect(statuses.filter((s) => s !== 'taken')).toEqual([]);

  // Every student has exactly one snapshot of the name, and every byte it refers to is in the store.
  const catalog = new SQLite(path.join(hub.dir, 'data', 'catalog.sqlite'), { readonly: true });
  const rows = catalog.prepare('SELECT student, manifest FROM snapshots WHERE name = ?').all(done.name) as {
    student: string;
    manifest: string;
  }[];
  catalog.close();
  expect(rows.length).toBe(EXTRA_STUDENTS.length + 3);
  expect(new Set(rows.map((r) => r.student)).size).toBe(rows.length);
  for (const row of rows) {
    for (const entry of JSON.parse(row.manifest) as { sha256: string | null }[]) {
      if (!entry.sha256) continue;
      const blob = new BlobStore(path.join(hub.dir, 'data', 'blobs')).pathOf(entry.sha256);
      expect(existsSync(blob)).toBe(true);
    }
  }
  const listed = await instructor.studentSnapshots('learner001');
  expect(listed.map((s) => s.name)).toEqual([done.name]);
}, 180000);
