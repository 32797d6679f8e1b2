import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BlobStore } from '../blobs/blob-store';
import { type Catalog, migrate } from '../catalog/catalog';
import { openTestCatalog, refuseWrites } from '../../test/support/test-catalog';
import { syncCourse } from '../courses/store';
import { createLogger } from '../log';
import { BusyError } from '../util/busy';
import { SnapshotJobs, type SnapshotJobsOptions } from './jobs';
import { SnapshotTaker, type TakeRequest } from './take';

const log = createLogger('fatal');
const course = { id: 'c1', title: 'C', instructorsGroup: 'i', gradersGroup: 'g', studentsGroup: 's' };
const STUDENTS = ['s1', 's2', 's3', 's4'];

let root: string;
let db: Catalog;
let taker: SnapshotTaker;

beforeEach(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'coursework-jobs-'));
  for (const student of STUDENTS) {
    mkdirSync(path.join(root, 'homes', student), { recursive: true });
    writeFileSync(path.join(root, 'homes', student, 'work.ipynb'), `{"by": "${student}"}`);
  }
  db = await openTestCatalog(root);
  await migrate(db, log);
  await syncCourse(db, course);
  taker = new SnapshotTaker(db, new BlobStore(path.join(root, 'blobs'), { durable: false }), {
    exclude: [],
    maxFileBytes: 1e6,
    maxHomeBytes: 1e7,
  });
});
afterEach(() => db.destroy());

/** A taker that takes nobody until released. */
function heldTaker(): { slowTaker: SnapshotTaker; release: () => void } {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const slowTaker = { take: async (request: TakeRequest) => (await held, taker.take(request)) } as unknown as SnapshotTaker;
  return { slowTaker, release };
}

/** Jobs on the test's catalog and homes, with `extra` options. */
const jobsOf = (t: SnapshotTaker, extra: Partial<SnapshotJobsOptions> = {}) =>
  new SnapshotJobs(
    db,
    t,
    { courseId: course.id, timeZone: 'UTC', homeTemplate: path.join(root, 'homes', '{username}'), inFlight: 2, ...extra },
    log,
  );

const jobsWith = (t: SnapshotTaker) =>
  new SnapshotJobs(db, t, { courseId: course.id, timeZone: 'UTC', homeTemplate: path.join(root, 'homes', '{username}'), inFlight: 2 }, log);
const params = (students = STUDENTS) => ({ name: 'hw_2026-11-23', baseName: 'hw', includeHidden: false, students });

describe('SnapshotJobs', () => {
  it('lets a reader wait for a running job: until it ends, or no longer than asked', async () => {
    const { slowTaker, release } = heldTaker();
    const jobs = jobsWith(slowTaker);
    const { job } = await jobs.request(params(), STUDENTS, 'prof');
    expect(await jobs.settledWithin(job.id, 20)).toBe(false);
    expect((await jobs.get(job.id))!.state).toBe('running');
    const waiting = jobs.settledWithin(job.id, 10_000);
    release();
    expect(await waiting).toBe(true);
    expect((await jobs.get(job.id))!.state).toBe('done');
    expect(await jobs.settledWithin(job.id, 10_000)).toBe(true);
    expect(await jobs.settledWithin('no-such-job', 10_000)).toBe(true);
  });

  it('ends a job the catalog cannot record as failed, says why, and records it once the catalog writes again', async () => {
    const { slowTaker, release } = heldTaker();
    const jobs = jobsOf(slowTaker, { recordRetryMs: 20 });
    const { job } = await jobs.request(params(), STUDENTS, 'prof');
    // The real catalog refusing every write, as it does when its disk is full.
    await refuseWrites(db, true);
    release();
    await jobs.settled(job.id);
    const failed = (await jobs.get(job.id))!;
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/^The catalog could not record the job's outcome: /);
    expect(failed.done).toBe(STUDENTS.length);
    expect(Object.values(failed.students).map((s) => s.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
    const stale = await db.selectFrom('jobs').select(['state', 'error']).where('id', '=', job.id).executeTakeFirstOrThrow();
    expect(stale).toEqual({ state: 'running', error: null });

    await refuseWrites(db, false);
    for (let i = 0; i < 100; i++) {
      const row = await db.selectFrom('jobs').select('state').where('id', '=', job.id).executeTakeFirstOrThrow();
      if (row.state === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const recorded = await db
      .selectFrom('jobs')
      .select(['state', 'error', 'done', 'finished_at'])
      .where('id', '=', job.id)
      .executeTakeFirstOrThrow();
    expect(recorded).toMatchObject({ state: 'failed', error: failed.error, done: STUDENTS.length });
    expect(recorded.finished_at).not.toBeNull();
    expect(await jobs.get(job.id)).toEqual(failed);
  });

  it("limits the whole-course jobs one caller may have running, and not identical requests, other callers' or unlimited ones", async () => {
    const { slowTaker, release } = heldTaker();
    const jobs = jobsOf(slowTaker, { maxPerCaller: 1 });
    const limited = { perCaller: true };
    const first = await jobs.request(params(), STUDENTS, 'prof', limited);
    expect(await jobs.request(params(), STUDENTS, 'prof', limited)).toMatchObject({ joined: true, job: { id: first.job.id } });
    const refusal = jobs.request({ ...params(), name: 'other_2026-11-23', baseName: 'other' }, STUDENTS, 'prof', limited);
    await expect(refusal).rejects.toThrow(BusyError);
    await expect(refusal).rejects.toMatchObject({
      retryAfterSeconds: 10,
      message: expect.stringMatching(/^You have 1 snapshot job running already/),
    });
    const other = await jobs.request({ ...params(), name: 'other_2026-11-23', baseName: 'other' }, STUDENTS, 'assistant', limited);
    const unlimited = await jobs.request({ ...params(['s1']), name: 'one_2026-11-23', baseName: 'one' }, STUDENTS, 'prof');
    release();
    for (const id of [first.job.id, other.job.id, unlimited.job.id]) await jobs.settled(id);
    // Once the first has ended, the caller may start another.
    const next = await jobs.request({ ...params(), name: 'next_2026-11-23', baseName: 'next' }, STUDENTS, 'prof', limited);
    await jobs.settled(next.job.id);
    expect((await jobs.get(next.job.id))!.state).toBe('done');
  });

  it('refuses to start a job when the data disk is below its floor', async () => {
    const jobs = new SnapshotJobs(
      db,
      taker,
      {
        courseId: course.id,
        timeZone: 'UTC',
        homeTemplate: '/x/{username}',
        inFlight: 2,
        lowSpace: () => 'the data disk has 1 bytes free',
      },
      log,
    );
    await expect(jobs.request(params(), STUDENTS, 'prof')).rejects.toThrow('No snapshot was started: the data disk has 1 bytes free');
    expect(await db.selectFrom('jobs').selectAll().execute()).toEqual([]);
  });

  it('takes every student and keeps progress in the catalog', async () => {
    const jobs = jobsWith(taker);
    const { job } = await jobs.request(params([...STUDENTS, 'stranger']), STUDENTS, 'prof');
    await jobs.settled(job.id);
    const done = (await jobs.get(job.id))!;
    expect(done).toMatchObject({ state: 'done', total: 5, done: 5, createdBy: 'prof' });
    expect(done.students.stranger).toEqual({ status: 'not-a-student' });
    for (const student of STUDENTS) expect(done.students[student]).toMatchObject({ status: 'taken', files: 1 });
    expect(done.bytes).toBe(STUDENTS.reduce((sum, s) => sum + `{"by": "${s}"}`.length, 0));
  });

  it('joins an identical request while the first is running, and starts anew once it is done', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const base = taker;
    const slow = Object.create(base) as SnapshotTaker;
    slow.take = async (request: TakeRequest) => {
      await gate;
      return base.take(request);
    };
    const jobs = jobsWith(slow);
    const first = await jobs.request(params(), STUDENTS, 'prof');
    const second = await jobs.request(params([...STUDENTS].reverse()), STUDENTS, 'other-prof');
    expect(second).toMatchObject({ joined: true, job: { id: first.job.id } });
    const different = await jobs.request({ ...params(), includeHidden: true }, STUDENTS, 'prof');
    expect(different.joined).toBe(false);
    release();
    await Promise.all([jobs.settled(first.job.id), jobs.settled(different.job.id)]);
    const later = await jobs.request(params(), STUDENTS, 'prof');
    expect(later.joined).toBe(false);
    await jobs.settled(later.job.id);
  });

  it('survives a student failing', async () => {
    const flaky = Object.create(taker) as SnapshotTaker;
    flaky.take = async (request: TakeRequest) => {
      if (request.student === 's2') throw new Error('disk on fire');
      return taker.take(request);
    };
    const jobs = jobsWith(flaky);
    const { job } = await jobs.request(params(), STUDENTS, 'prof');
    await jobs.settled(job.id);
    const done = (await jobs.get(job.id))!;
    expect(done.state).toBe('done');
    expect(done.students.s2).toEqual({ status: 'failed', error: 'disk on fire' });
    expect(['s1', 's3', 's4'].map((s) => done.students[s]!.status)).toEqual(['taken', 'taken', 'taken']);
  });

  it('resumes a job a crash left running: students already taken stay taken, the rest are taken', async () => {
    // The state a crash leaves: the job row says running, s1 was taken (its row carries the job id) but its
    // outcome was never recorded, and s2..s4 are pending.
    const crashed = jobsWith(taker);
    const never = new Promise<never>(() => undefined);
    const stuck = Object.create(taker) as SnapshotTaker;
    stuck.take = () => never;
    const { job } = await jobsWith(stuck).request(params(), STUDENTS, 'prof');
    await taker.take({
      courseId: course.id,
      student: 's1',
      home: path.join(root, 'homes', 's1'),
      baseName: 'hw',
      name: 'hw_2026-11-23',
      includeHidden: false,
      actor: 'prof',
      jobId: job.id,
    });
    expect((await crashed.get(job.id))!.state).toBe('running');

    const restarted = jobsWith(taker);
    expect(await restarted.resumeUnfinished()).toEqual([job.id]);
    await restarted.settled(job.id);
    const done = (await restarted.get(job.id))!;
    expect(done.state).toBe('done');
    for (const student of STUDENTS) expect(done.students[student]!.status).toBe('taken');
    const rows = await db.selectFrom('snapshots').select('student').where('name', '=', 'hw_2026-11-23').execute();
    expect(rows.map((r) => r.student).sort()).toEqual(STUDENTS);
  });
});

describe('SnapshotJobs on several replicas of one catalog', () => {
  /** A taker that takes the first `n` students it is asked for at once, and the others only when released. */
  function takerHoldingAfter(n: number): { partTaker: SnapshotTaker; release: () => void } {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let asked = 0;
    const partTaker = {
      take: async (request: TakeRequest) => {
        if (++asked > n) await held;
        return taker.take(request);
      },
    } as unknown as SnapshotTaker;
    return { partTaker, release };
  }

  const snapshotsPerStudent = async () =>
    (await db.selectFrom('snapshots').select('student').where('name', '=', params().name).execute()).map((r) => r.student).sort();

  it("takes over a job whose replica's lease lapsed: each student taken once, the outcome the new holder's", async () => {
    // Replica a took two students, then stopped answering; its clock being a minute behind makes its lease lapse
    // at once for b, as a dead replica's does after the lease time.
    const { partTaker, release } = takerHoldingAfter(2);
    const minuteAgo = () => new Date(Date.now() - 60_000);
    const a = jobsOf(partTaker, { replica: 'a', leaseMs: 30_000, now: minuteAgo, inFlight: 1 });
    const { job } = await a.request(params(), STUDENTS, 'prof');
    for (let i = 0; i < 100 && (await snapshotsPerStudent()).length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await snapshotsPerStudent()).toHaveLength(2);

    const b = jobsOf(taker, { replica: 'b', leaseMs: 30_000 });
    expect(await b.settledWithin(job.id, 20)).toBe(false);
    expect(await b.resumeUnfinished()).toEqual([job.id]);
    // Taken once: b does not take a job it already runs, nor a job whose lease holds.
    expect(await b.resumeUnfinished()).toEqual([]);
    expect(await jobsOf(taker, { replica: 'c' }).resumeUnfinished()).toEqual([]);
    expect(await b.settledWithin(job.id, 10_000)).toBe(true);
    const done = (await b.get(job.id))!;
    expect(done.state).toBe('done');
    expect(Object.values(done.students).map((s) => s.status)).toEqual(['taken', 'taken', 'taken', 'taken']);
    expect(await snapshotsPerStudent()).toEqual(STUDENTS);

    // The slow replica wakes up: what it takes now is the same snapshots, and it writes nothing over b's outcome.
    release();
    await a.settled(job.id);
    expect(await snapshotsPerStudent()).toEqual(STUDENTS);
    const row = await db.selectFrom('jobs').select(['state', 'lease_owner', 'done']).where('id', '=', job.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'done', lease_owner: 'b', done: 4 });
  });

  it('answers a long poll on any replica: one that does not run the job reads its end from the catalog', async () => {
    const { slowTaker, release } = heldTaker();
    const a = jobsOf(slowTaker, { replica: 'a' });
    const b = jobsOf(taker, { replica: 'b' });
    const { job } = await a.request(params(), STUDENTS, 'prof');
    expect(await b.settledWithin(job.id, 300)).toBe(false);
    const waiting = b.settledWithin(job.id, 10_000);
    release();
    expect(await waiting).toBe(true);
    expect((await b.get(job.id))!.state).toBe('done');
  });

  it('leaves a job a live replica holds alone, and resumes its own at once after a restart', async () => {
    const { slowTaker } = heldTaker();
    const a = jobsOf(slowTaker, { replica: 'a' });
    const { job } = await a.request(params(), STUDENTS, 'prof');
    expect(await jobsOf(taker, { replica: 'b' }).resumeUnfinished()).toEqual([]);
    // The same replica started again (same name, nothing running in it yet) takes its job back without waiting.
    const restarted = jobsOf(taker, { replica: 'a' });
    expect(await restarted.resumeUnfinished()).toEqual([job.id]);
    await restarted.settled(job.id);
    expect((await restarted.get(job.id))!.state).toBe('done');
  });
});
