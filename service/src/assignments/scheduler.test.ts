/**
 * The capture scheduler with a controllable clock: nothing sleeps, each test moves `now` and runs passes.
 * Snapshots are real (a real taker on temporary homes and a real catalog).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BlobStore } from '../blobs/blob-store';
import { type Catalog, type CatalogOptions, migrate, openCatalog } from '../catalog/catalog';
import { testDatabaseUrl } from '../../test/support/test-catalog';
import { syncCourse } from '../courses/store';
import { createLogger } from '../log';
import { SnapshotJobs } from '../snapshots/jobs';
import { SnapshotTaker } from '../snapshots/take';
import { CaptureScheduler, periodicSlot } from './scheduler';
import { AssignmentStatusReader } from './status';
import { AssignmentStore } from './store';

const log = createLogger('fatal');
const course = { id: 'c1', title: 'C', instructorsGroup: 'i', gradersGroup: 'g', studentsGroup: 's' };
const STUDENTS = ['s1', 's2', 's3'];
const TZ = 'UTC';
const at = (hhmm: string) => new Date(`2026-12-01T${hhmm}:00.000Z`);

let root: string;
let shared: CatalogOptions;
let now: Date;
const clock = () => now;
const roster = { studentNames: async () => STUDENTS };
const opened: Catalog[] = [];

interface Instance {
  db: Catalog;
  store: AssignmentStore;
  scheduler: CaptureScheduler;
  status: AssignmentStatusReader;
  jobs: SnapshotJobs;
}

/** A service instance on the shared catalog: its own connection, jobs and scheduler. */
function instance(): Instance {
  const db = openCatalog(shared);
  opened.push(db);
  const taker = new SnapshotTaker(db, new BlobStore(path.join(root, 'blobs'), { durable: false }), {
    exclude: [],
    maxFileBytes: 1e6,
    maxHomeBytes: 1e7,
  });
  const jobs = new SnapshotJobs(
    db,
    taker,
    { courseId: course.id, timeZone: TZ, homeTemplate: path.join(root, 'homes', '{username}'), inFlight: 2, now: clock },
    log,
  );
  const store = new AssignmentStore(db, course.id, TZ, clock);
  const scheduler = new CaptureScheduler(db, store, jobs, roster, { courseId: course.id, timeZone: TZ, now: clock }, log);
  return { db, store, scheduler, jobs, status: new AssignmentStatusReader(db, store, course.id, TZ, clock) };
}

async function pass(...instances: Instance[]): Promise<void> {
  await Promise.all(instances.map((i) => i.scheduler.tick()));
  for (const i of instances) await i.scheduler.settled();
}

async function snapshotsOf(db: Catalog, student: string): Promise<string[]> {
  return (await db.selectFrom('snapshots').select('name').where('student', '=', student).orderBy('id').execute()).map((r) => r.name);
}

async function statusOf(i: Instance, assignment = 'ps1') {
  return i.status.forAssignment((await i.store.get(assignment))!, STUDENTS);
}

beforeEach(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'coursework-scheduler-'));
  for (const student of STUDENTS) {
    mkdirSync(path.join(root, 'homes', student), { recursive: true });
    writeFileSync(path.join(root, 'homes', student, 'ps1.ipynb'), `{"by": "${student}"}`);
  }
  shared = { url: await testDatabaseUrl(), sqliteFile: path.join(root, 'catalog.sqlite') };
  const db = openCatalog(shared);
  await migrate(db, log);
  await syncCourse(db, course);
  await db.destroy();
  now = at('12:00');
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.destroy()));
});

describe('periodic slots', () => {
  const due = at('17:00').getTime();
  it.each([
    ['13:59', undefined],
    ['14:00', '14:00'],
    ['14:30', '14:00'],
    ['16:59', '16:00'],
    ['17:00', undefined],
  ])('every 60 min for 180 min before 17:00, at %s → %s', (time, slot) => {
    const found = periodicSlot(due, 60, 180, at(time).getTime());
    expect(found === undefined ? undefined : new Date(found).toISOString().slice(11, 16)).toBe(slot);
  });
});

describe('the capture scheduler', () => {
  it('takes each student at the due time, not before, and says when to wake', async () => {
    const i = instance();
    await i.store.create({ id: 'ps1', dueAt: '2026-12-01T17:00:00Z' }, 'prof');
    now = at('16:59');
    expect(await i.scheduler.tick()).toBe(at('17:00').getTime());
    expect(await snapshotsOf(i.db, 's1')).toEqual([]);
    expect((await statusOf(i)).map((s) => s.status)).toEqual(['upcoming', 'upcoming', 'upcoming']);

    now = at('17:00');
    await pass(i);
    for (const student of STUDENTS) expect(await snapshotsOf(i.db, student)).toEqual(['ps1_2026-12-01']);
    const status = await statusOf(i);
    expect(status.map((s) => s.status)).toEqual(['captured', 'captured', 'captured']);
    expect(status[0]!.receipt).toMatchObject({ snapshot: 'ps1_2026-12-01', files: 1, bytes: '{"by": "s1"}'.length, lateBySeconds: null });
    expect(status[0]!.receipt!.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
    // Later passes take nothing more.
    now = at('17:05');
    await pass(i);
    expect(await snapshotsOf(i.db, 's1')).toEqual(['ps1_2026-12-01']);
  });

  it('records a capture that failed once, for the timeline and the changes feed', async () => {
    const a = instance();
    rmSync(path.join(root, 'homes', 's3'), { recursive: true });
    await a.store.create({ id: 'ps1', dueAt: '2026-12-01T17:00:00Z' }, 'prof');
    now = at('17:00');
    await pass(a);
    await a.scheduler.settle();
    expect((await statusOf(a)).map((s) => s.status)).toEqual(['captured', 'captured', 'failed']);
    const rows = await a.db
      .selectFrom('audit_events')
      .select(['action', 'target', 'detail'])
      .where('action', '=', 'capture.failed')
      .execute();
    expect(rows.map((r) => [r.target, JSON.parse(r.detail)])).toEqual([
      ['s3/ps1', { dueAt: '2026-12-01T17:00:00.000Z', error: 'no-home' }],
    ]);
  });

  it('calls a capture taken when its job ends while the captures are being settled', async () => {
    const i = instance();
    await i.store.create({ id: 'ps1', dueAt: '2026-12-01T17:00:00Z' }, 'prof');
    now = at('17:00');
    // The job takes no student until settling reads it; then it ends (its snapshots committed) before that read answers.
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const taker = i.jobs['taker'];
    const take = taker.take.bind(taker);
    taker.take = async (...args: Parameters<typeof take>) => {
      await gate;
      return take(...args);
    };
    const get = i.jobs.get.bind(i.jobs);
    await i.scheduler.trigger('ps1', undefined);
    i.jobs.get = async (id: string) => {
      open();
      await i.jobs.settled(id);
      return get(id);
    };
    await i.scheduler.settle();
    expect((await statusOf(i)).map((s) => s.status)).toEqual(['captured', 'captured', 'captured']);
    expect(await i.db.selectFrom('audit_events').select('action').where('action', '=', 'capture.failed').execute()).toEqual([]);
  });

  it("moves one student's capture to their extension", async () => {
    const i = instance();
    await i.store.create({ id: 'ps1', dueAt: '2026-12-01T17:00:00Z' }, 'prof');
    await i.store.grantExtension('ps1', 's2', '2026-12-01T19:00:00Z', 'prof');
    now = at('17:00');
    await pass(i);
    expect(await snapshotsOf(i.db, 's1')).toEqual(['ps1_2026-12-01']);
    expect(await snapshotsOf(i.db, 's2')).toEqual([]);
    expect((await statusOf(i))[1]).toMatchObject({ student: 's2', status: 'upcoming', extended: true, dueAt: '2026-12-01T19:00:00.000Z' });
    now = at('19:00');
    await pass(i);
    expect(await snapshotsOf(i.db, 's2')).toEqual(['ps1_2026-12-01']);
    expect((await statusOf(i))[1]).toMatchObject({ status: 'captured', receipt: { lateBySeconds: null } });
  });

  it('takes a due time missed while the service was down once, at start-up, flagged with how late', async () => {
    const before = instance();
    await before.store.create({ id: 'ps1', dueAt: '2026-12-01T17:00:00Z' }, 'prof');
    now = at('16:00');
    await pass(before);
    before.scheduler.stop();
    // Down from 16:00 to 17:30; a new process (a new instance) starts.
    now = at('17:30');
    const after = instance();
    await pass(after);
    await pass(after);
    for (const student of STUDENTS) expect(await snapshotsOf(after.db, student)).toEqual(['ps1_2026-12-01']);
    expect((await statusOf(after))[0]!.receipt).toMatchObject({ lateBySeconds: 30 * 60 });
  });

  it('takes a capture once when two instances share the catalog', async () => {
    const a = instance();
    const b = instance();
    await a.store.create({ id: 'ps1', dueAt: '2026-12-01T17:00:00Z' }, 'prof');
    now = at('17:00');
    await pass(a, b);
    await pass(b, a);
    for (const student of STUDENTS) expect(await snapshotsOf(a.db, student)).toEqual(['ps1_2026-12-01']);
    const captures = await a.db.selectFrom('captures').select(['student', 'claimed_by']).execute();
    expect(captures).toHaveLength(STUDENTS.length);
    expect((await statusOf(b)).every((s) => s.status === 'captured')).toBe(true);
  });

  it('takes a capture a dead instance claimed but never started, once its claim is stale', async () => {
    const i = instance();
    await i.store.create({ id: 'ps1', dueAt: '2026-12-01T17:00:00Z' }, 'prof');
    now = at('17:00');
    await i.db
      .insertInto('captures')
      .values({
        course_id: course.id,
        assignment_id: 'ps1',
        student: 's1',
        kind: 'deadline',
        due_at: at('17:00').toISOString(),
        claimed_by: 'dead',
        claimed_at: now.toISOString(),
        snapshot_name: null,
        job_id: null,
        state: 'claimed',
        error: null,
      })
      .execute();
    await pass(i);
    expect(await snapshotsOf(i.db, 's1')).toEqual([]);
    expect(await snapshotsOf(i.db, 's2')).toEqual(['ps1_2026-12-01']);
    now = at('17:03');
    await pass(i);
    expect(await snapshotsOf(i.db, 's1')).toEqual(['ps1_2026-12-01']);
  });

  it('answers the webhook twice with one capture per student', async () => {
    const i = instance();
    await i.store.create({ id: 'ps1', dueAt: '2026-12-01T17:00:00Z' }, 'prof');
    now = at('16:58');
    expect(await i.scheduler.trigger('ps1', undefined)).toEqual({ started: STUDENTS, already: [] });
    expect(await i.scheduler.trigger('ps1', ['s1', 'ghost'])).toEqual({ started: [], already: ['s1'] });
    await i.scheduler.settled();
    now = at('17:00');
    await pass(i);
    for (const student of STUDENTS) expect(await snapshotsOf(i.db, student)).toEqual(['ps1_2026-12-01']);
    expect(await i.scheduler.trigger('nope', undefined)).toBeUndefined();
  });

  it('keeps a capture taken before the due time moved later, and takes the new one then', async () => {
    const i = instance();
    await i.store.create({ id: 'ps1', dueAt: '2026-12-01T17:00:00Z' }, 'prof');
    now = at('17:00');
    await pass(i);
    await i.store.update('ps1', { dueAt: '2026-12-01T19:00:00Z' }, 'prof');
    expect((await statusOf(i))[0]).toMatchObject({ status: 'upcoming', receipt: null });
    now = at('19:00');
    await pass(i);
    expect(await snapshotsOf(i.db, 's1')).toEqual(['ps1_2026-12-01', 'ps1-2_2026-12-01']);
    expect((await statusOf(i))[0]!.receipt).toMatchObject({ snapshot: 'ps1-2_2026-12-01' });
  });

  it('takes periodic captures in the window before the due time', async () => {
    const i = instance();
    await i.store.create({ id: 'ps1', dueAt: '2026-12-01T17:00:00Z', captures: { everyMinutes: 60, forMinutes: 120 } }, 'prof');
    for (const time of ['14:30', '15:00', '15:30', '16:00', '16:30']) {
      now = at(time);
      await pass(i);
    }
    expect(await snapshotsOf(i.db, 's3')).toEqual(['ps1-auto-1500_2026-12-01', 'ps1-auto-1600_2026-12-01']);
  });

  it('takes nothing at the due time when snapshotAtDue is off', async () => {
    const i = instance();
    await i.store.create({ id: 'ps1', dueAt: '2026-12-01T17:00:00Z', snapshotAtDue: false }, 'prof');
    now = at('18:00');
    await pass(i);
    expect(await snapshotsOf(i.db, 's1')).toEqual([]);
    expect((await statusOf(i))[0]!.status).toBe('not-scheduled');
  });
});
