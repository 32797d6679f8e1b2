/**
 * Three replicas of the service behind HAProxy (round robin), registered as the Hub's service, on one PostgreSQL
 * catalog and one shared data directory: work survives a replica killed mid-job, deadlines and deliveries happen
 * once, any replica answers any request, and a PostgreSQL restart is answered with 503s and recovered from.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { CourseworkClient, type Job } from '@coursework/client';
import { freePorts, REPO, type RunningHub, startHub } from '../support/hub';
import { BlobStore } from '../../src/blobs/blob-store';
import { createDatabase, type PostgresCluster, startPostgres } from '../support/postgres';
import { type ReplicaSet, startReplicas } from '../support/replicas';

const EXTRA_STUDENTS = Array.from({ length: 120 }, (_, i) => `pupil${String(i + 1).padStart(3, '0')}`);
const FILES_PER_HOME = 30;

let cluster: PostgresCluster;
let catalog: pg.Pool;
let hub: RunningHub;
let replicas: ReplicaSet;
let instructor: CourseworkClient;
/** The settings every replica shares (and the administrator's command line uses). */
let shared: Record<string, string>;

beforeAll(async () => {
  cluster = await startPostgres();
  const databaseUrl = await createDatabase(cluster.adminUrl);
  catalog = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  catalog.on('error', () => undefined);
  const [balancerPort, ...ports] = (await freePorts(4)) as [number, ...number[]];
  const apiToken = randomBytes(24).toString('hex');
  hub = await startHub({
    env: { COURSEWORK_SERVICE_API_TOKEN: apiToken, COURSEWORK_SERVICE_PORT: String(balancerPort) },
    waitForService: false,
  });
  expect((await hub.api('POST', '/users', { usernames: EXTRA_STUDENTS })).status).toBe(201);
  expect((await hub.api('POST', '/groups/students/users', { users: EXTRA_STUDENTS })).status).toBe(200);
  for (const student of EXTRA_STUDENTS) {
    mkdirSync(path.join(hub.homes, student, 'work'), { recursive: true });
    // Bytes of their own in every file: each is a new blob, written and synced, so the job takes a while.
    for (let i = 0; i < FILES_PER_HOME; i++) writeFileSync(path.join(hub.homes, student, 'work', `part-${i}.txt`), randomBytes(4096));
  }
  shared = {
    COURSEWORK_DATABASE_URL: databaseUrl,
    COURSEWORK_DATA_DIR: path.join(hub.dir, 'shared-data'),
    COURSEWORK_COOKIE_SECRET: randomBytes(32).toString('hex'),
    COURSEWORK_HOME_TEMPLATE: `${hub.homes}/{username}`,
    COURSEWORK_COURSE_ID: 'demo-101',
    COURSEWORK_COURSE_TITLE: 'Demo 101: Data Science',
    COURSEWORK_LEASE_SECONDS: '3',
    COURSEWORK_SNAPSHOT_CONCURRENCY: '1',
    COURSEWORK_LOG_LEVEL: 'info',
  };
  replicas = await startReplicas({ hub, apiToken, balancerPort, ports, env: shared });
  instructor = new CourseworkClient({ baseUrl: hub.serviceUrl, token: (await hub.issueToken('instructor')).token });
}, 180_000);

afterAll(async () => {
  await replicas?.stop();
  await catalog?.end();
  await hub?.stop();
  cluster?.destroy();
});

const rows = async <T extends object>(text: string, values: unknown[] = []): Promise<T[]> =>
  (await catalog.query(text, values)).rows as T[];

it('migrated the catalog once, though the three replicas started together', async () => {
  const migrations = await rows<{ name: string }>('SELECT name FROM kysely_migration ORDER BY name');
  expect(migrations.map((m) => m.name)).toEqual([...new Set(migrations.map((m) => m.name))]);
  expect(migrations.at(-1)!.name).toBe('0010-audit-lookups');
});

it('finishes a whole-course snapshot on the other replicas when the one running it is killed: each student once, no half snapshot', async () => {
  const { job } = await instructor.snapshot({ name: 'midterm' });
  let seen: Job = job;
  while (seen.done < 10) seen = await instructor.job(job.id);
  expect(seen.done).toBeLessThan(seen.total);
  const [{ lease_owner: runner }] = (await rows<{ lease_owner: string }>('SELECT lease_owner FROM jobs WHERE id = $1', [job.id])) as [
    { lease_owner: string },
  ];
  const killed = replicas.ids.indexOf(runner);
  expect(killed).toBeGreaterThanOrEqual(0);
  replicas.kill(killed, 'SIGKILL');

  const done = await instructor.waitForJob(job.id, { timeoutMs: 120_000 });
  expect(done.state).toBe('done');
  const statuses = new Set(Object.values(done.students).map((s) => s.status));
  expect(statuses).toEqual(new Set(['taken']));
  expect(Object.keys(done.students)).toEqual(expect.arrayContaining(EXTRA_STUDENTS));
  const [{ lease_owner: finisher }] = (await rows<{ lease_owner: string }>('SELECT lease_owner FROM jobs WHERE id = $1', [job.id])) as [
    { lease_owner: string },
  ];
  expect(finisher).not.toBe(runner);

  const snapshots = await rows<{ student: string; file_count: number }>(
    'SELECT student, file_count FROM snapshots WHERE name = $1 AND deleted_at IS NULL ORDER BY student',
    [done.name],
  );
  expect(snapshots.map((s) => s.student)).toEqual(Object.keys(done.students).sort());
  for (const snapshot of snapshots.filter((s) => EXTRA_STUDENTS.includes(s.student)))
    expect(Number(snapshot.file_count)).toBe(FILES_PER_HOME);
  // Every file of a snapshot taken by either replica is served, whichever replica answers.
  const files = await instructor.snapshotFiles(EXTRA_STUDENTS[0]!, done.name);
  expect(files).toHaveLength(FILES_PER_HOME);

  await replicas.start(killed);
}, 180_000);

it('answers a long poll on whichever replica gets it', async () => {
  const { job } = await instructor.snapshot({ name: 'long poll' });
  const answers = await Promise.all([1, 2, 3].map(() => instructor.job(job.id, { waitSeconds: 60 })));
  for (const answer of answers) expect(answer.state).toBe('done');
}, 120_000);

it('serves a download link made on one replica from the others', async () => {
  const link = await instructor.downloadLink(
    instructor.snapshotZipUrl(EXTRA_STUDENTS[1]!, (await instructor.studentSnapshots(EXTRA_STUDENTS[1]!))[0]!.name),
  );
  const bodies = [];
  for (let i = 0; i < 6; i++) {
    const response = await fetch(`${hub.url}${link}`);
    expect(response.status).toBe(200);
    bodies.push(Buffer.from(await response.arrayBuffer()).toString('base64'));
  }
  expect(new Set(bodies).size).toBe(1);
  const linkPath = new URL(link, hub.url).pathname;
  const answeredBy = replicas.ids.filter((_, i) => replicas.log(i).includes(linkPath));
  expect(answeredBy.length).toBeGreaterThanOrEqual(2);
});

it('captures each student once at a deadline all three schedulers see, and delivers feedback once', async () => {
  const dueAt = new Date(Date.now() + 4000).toISOString();
  await instructor.createAssignment({ id: 'quiz', dueAt, snapshotAtDue: true });
  const roster = ((await (await hub.api('GET', '/groups/students')).json()) as { users: string[] }).users;
  const deadline = Date.now() + 90_000;
  let captured: { student: string; n: string }[] = [];
  while (Date.now() < deadline) {
    captured = await rows('SELECT student, count(*) AS n FROM snapshots WHERE base_name = $1 AND deleted_at IS NULL GROUP BY student', [
      'quiz',
    ]);
    if (captured.length === roster.length) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  expect(captured.map((c) => c.student).sort()).toEqual([...roster].sort());
  for (const capture of captured) expect(Number(capture.n)).toBe(1);

  const readers = EXTRA_STUDENTS.slice(0, 20);
  await Promise.all(
    readers.map((student) => instructor.releaseFeedback(student, 'quiz', { 'report.html': `<p>${student}</p>` }, { deliver: true })),
  );
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const [{ n }] = (await rows<{ n: string }>(
      "SELECT count(*) AS n FROM feedback_files WHERE assignment = 'quiz' AND delivered_at IS NULL",
    )) as [{ n: string }];
    if (Number(n) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  for (const student of readers) expect(readdirSync(path.join(hub.homes, student, 'feedback', 'quiz'))).toEqual(['report.html']);
}, 150_000);

/** The administrator's command line, with the replicas' settings. */
const cli = (...args: string[]) =>
  execFileSync(process.execPath, [path.join(REPO, 'service', 'lib', 'cli.js'), ...args], {
    env: { PATH: process.env.PATH ?? '', ...shared },
    encoding: 'utf8',
  });

it('collects unreferenced blobs beside replicas that are snapshotting: what is referenced stays, what is not goes', async () => {
  // A blob only a deleted snapshot referred to, and older than the grace period: collection's to delete.
  const loner = EXTRA_STUDENTS[5]!;
  const draft = randomBytes(5000);
  const draftFile = path.join(hub.homes, loner, 'work', 'draft.bin');
  writeFileSync(draftFile, draft);
  const { job: drafted } = await instructor.snapshot({ name: 'draft', students: [loner] });
  const draftName = (await instructor.waitForJob(drafted.id)).name;
  rmSync(draftFile);
  await instructor.deleteSnapshot(loner, draftName);
  const store = new BlobStore(path.join(shared.COURSEWORK_DATA_DIR!, 'blobs'));
  const orphan = store.pathOf(createHash('sha256').update(draft).digest('hex'));
  const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000);
  utimesSync(orphan, twoHoursAgo, twoHoursAgo);

  // New bytes in forty homes, taken by the replicas while collections run beside them.
  for (const student of EXTRA_STUDENTS.slice(0, 40)) writeFileSync(path.join(hub.homes, student, 'work', 'final.bin'), randomBytes(8192));
  const { job } = await instructor.snapshot({ name: 'final' });
  const collect = () => {
    const out = cli('collect');
    expect(out).toMatch(/^\d+ blobs, \d+ in use; \d+ deleted/);
    return Number(/; (\d+) deleted/.exec(out)![1]);
  };
  let collections = 0;
  let deleted = 0;
  while ((await instructor.job(job.id)).state === 'running' || collections === 0) {
    deleted += collect();
    collections++;
  }
  const final = await instructor.waitForJob(job.id);
  expect(new Set(Object.values(final.students).map((s) => s.status))).toEqual(new Set(['taken']));
  // Once the replicas' new snapshot replaced the loner's home index (the last reference to the draft's blob), a
  // collection deleted that blob: this one, or one that ran while the job went on.
  deleted += collect();
  expect(deleted).toBeGreaterThanOrEqual(1);
  expect(existsSync(orphan)).toBe(false);
  const report = JSON.parse(cli('check', '--report-only', '--json')) as { ok: boolean; broken: unknown[] };
  expect(report).toMatchObject({ ok: true, broken: [] });
}, 180_000);

it('answers 503 with a clear message while PostgreSQL is down, and recovers by itself once it is back', async () => {
  cluster.stop('fast');
  const refused = await fetch(`${hub.serviceUrl}api/v1/students`, {
    headers: { Authorization: `token ${(await hub.issueToken('instructor')).token}` },
  });
  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toBe('5');
  expect(((await refused.json()) as { message: string }).message).toMatch(/catalog database cannot be reached/);
  cluster.start();
  const deadline = Date.now() + 30_000;
  let status = 0;
  while (Date.now() < deadline && status !== 200) {
    status = (
      await fetch(`${hub.serviceUrl}api/v1/students`, { headers: { Authorization: `token ${(await hub.issueToken('instructor')).token}` } })
    ).status;
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  expect(status).toBe(200);
  // Every replica is still there (none died of the outage), and work goes on.
  for (let i = 0; i < replicas.ids.length; i++) expect(replicas.log(i)).not.toMatch(/"level":(50|60).*uncaught/);
  const { job } = await instructor.snapshot({ name: 'after the outage', students: EXTRA_STUDENTS.slice(0, 3) });
  expect((await instructor.waitForJob(job.id, { timeoutMs: 60_000 })).state).toBe('done');
}, 120_000);
