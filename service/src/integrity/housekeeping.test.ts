import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BlobStore } from '../blobs/blob-store';
import { collectGarbage } from '../blobs/collect';
import { type Catalog, migrate } from '../catalog/catalog';
import { openTestCatalog } from '../../test/support/test-catalog';
import { CourseStore, syncCourse } from '../courses/store';
import { FeedbackStore } from '../feedback/store';
import { createLogger } from '../log';
import { checkStore } from './check';
import { BLOB_GRACE_MS, blobsInUse, Housekeeping } from './housekeeping';
import { SnapshotQueries } from '../snapshots/queries';
import { SnapshotTaker } from '../snapshots/take';
import { Leases } from '../replicas/leases';

const log = createLogger('fatal');
const course = { id: 'c1', title: 'C', instructorsGroup: 'i', gradersGroup: 'g', studentsGroup: 's' };
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const LONG_AGO = new Date('2026-01-01T00:00:00Z');

let root: string;
let db: Catalog;
let blobs: BlobStore;
let taker: SnapshotTaker;

const home = (student: string) => path.join(root, 'homes', student);
const take = (student: string, name: string) =>
  taker.take({
    courseId: course.id,
    student,
    home: home(student),
    baseName: name.split('_')[0]!,
    name,
    includeHidden: false,
    actor: 'prof',
    jobId: null,
  });
const write = (student: string, file: string, text: string) => {
  mkdirSync(home(student), { recursive: true });
  writeFileSync(path.join(home(student), file), text);
  utimesSync(path.join(home(student), file), LONG_AGO, LONG_AGO);
};
/** The blob store's clock, moved on with the blobs' ages. */
let storeClockOffset = 0;
/** Makes every blob look older than the grace period, as if that much time had passed. */
const ageBlobs = (...texts: string[]) => {
  storeClockOffset += 2 * BLOB_GRACE_MS;
  const old = new Date(Date.now() - 2 * BLOB_GRACE_MS);
  for (const text of texts) if (existsSync(blobs.pathOf(sha(text)))) utimesSync(blobs.pathOf(sha(text)), old, old);
};

beforeEach(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'coursework-gc-'));
  db = await openTestCatalog(root);
  await migrate(db, log);
  await syncCourse(db, course);
  storeClockOffset = 0;
  blobs = new BlobStore(path.join(root, 'blobs'), { durable: false, now: () => Date.now() + storeClockOffset });
  taker = new SnapshotTaker(db, blobs, { exclude: [], maxFileBytes: 1e6, maxHomeBytes: 1e7 });
});
afterEach(() => db.destroy());

describe('blob collection', () => {
  it('removes only what no live snapshot and no home index refers to, and only after the grace period', async () => {
    write('s1', 'shared.csv', 'the same data everywhere');
    write('s2', 'shared.csv', 'the same data everywhere');
    write('s1', 'work.ipynb', 'first draft');
    await take('s1', 'a_2026-11-01');
    await take('s2', 'a_2026-11-01');
    write('s1', 'work.ipynb', 'final version');
    await take('s1', 'b_2026-11-02');
    expect(await new SnapshotQueries(db, course.id).delete('s1', 'a_2026-11-01', 'prof')).toBe(true);

    expect((await collectGarbage(blobs, await blobsInUse(db), BLOB_GRACE_MS)).deleted).toBe(0); // everything is recent
    ageBlobs('the same data everywhere', 'first draft', 'final version');
    const result = await collectGarbage(blobs, await blobsInUse(db), BLOB_GRACE_MS);
    expect(result).toMatchObject({ scanned: 3, deleted: 1, bytesFreed: expect.any(Number) });
    expect(existsSync(blobs.pathOf(sha('first draft')))).toBe(false);
    expect(existsSync(blobs.pathOf(sha('final version')))).toBe(true);
    expect(existsSync(blobs.pathOf(sha('the same data everywhere')))).toBe(true);

    // Leftovers of writes a crash interrupted go after the same grace period.
    const stray = path.join(path.dirname(blobs.pathOf(sha('final version'))), '.tmp-interrupted');
    writeFileSync(stray, 'half a blob');
    utimesSync(stray, LONG_AGO, LONG_AGO);
    expect(await collectGarbage(blobs, await blobsInUse(db), BLOB_GRACE_MS)).toMatchObject({ scanned: 2, deleted: 0 });
    expect(existsSync(stray)).toBe(false);
  });

  it('spares an old unreferenced blob that a new snapshot just found in the store', async () => {
    write('s1', 'work.ipynb', 'reused bytes');
    await take('s1', 'a_2026-11-01');
    await new SnapshotQueries(db, course.id).delete('s1', 'a_2026-11-01', 'prof');
    await db.deleteFrom('home_index').execute(); // as if nothing referred to the bytes any more
    ageBlobs('reused bytes');
    write('s2', 'copy.ipynb', 'reused bytes'); // a new snapshot meets the same bytes: the blob is touched
    await take('s2', 'a_2026-11-01');
    await db.deleteFrom('home_index').execute();
    await new SnapshotQueries(db, course.id).delete('s2', 'a_2026-11-01', 'prof');
    expect((await collectGarbage(blobs, await blobsInUse(db), BLOB_GRACE_MS)).deleted).toBe(0);
  });

  it('keeps every version of released feedback, replaced and withdrawn ones too', async () => {
    const feedback = new FeedbackStore(db, course.id);
    const release = async (text: string) => {
      const { sha256, size } = await blobs.storeBuffer(Buffer.from(text));
      await feedback.release({
        student: 's1',
        assignment: 'ps1',
        files: [{ path: 'r.html', sha256, size, homePath: null }],
        by: 'prof',
        releaseAt: new Date(),
      });
    };
    await release('feedback v1');
    await release('feedback v2');
    await feedback.withdraw('s1', 'ps1', undefined, 'prof');
    const orphan = await blobs.storeBuffer(Buffer.from('never released'));
    ageBlobs('feedback v1', 'feedback v2', 'never released');
    expect(await collectGarbage(blobs, await blobsInUse(db), BLOB_GRACE_MS)).toMatchObject({ scanned: 3, deleted: 1 });
    expect(existsSync(blobs.pathOf(orphan.sha256))).toBe(false);
    expect(existsSync(blobs.pathOf(sha('feedback v1')))).toBe(true);
    expect(existsSync(blobs.pathOf(sha('feedback v2')))).toBe(true);
  });
});

describe('a deleted course', () => {
  it('needs no blob any more: its snapshots’ and feedback’s are collected, those another course shares stay, and the check asks for none', async () => {
    const courses = new CourseStore(db);
    await courses.create(
      { id: 'gone', title: 'Gone', timeZone: null, groups: { instructors: 'gi', graders: null, students: 'gs' } },
      'prof',
    );
    write('s1', 'shared.csv', 'in both courses');
    await take('s1', 'a_2026-11-01');
    write('s1', 'only.txt', 'only in the deleted course');
    const inGone = {
      student: 's1',
      home: home('s1'),
      baseName: 'g',
      name: 'g_2026-11-01',
      includeHidden: false,
      actor: 'prof',
      jobId: null,
    };
    expect((await taker.take({ courseId: 'gone', ...inGone })).status).toBe('taken');
    const { sha256, size } = await blobs.storeBuffer(Buffer.from('feedback of the deleted course'));
    await new FeedbackStore(db, 'gone').release({
      student: 's1',
      assignment: 'ps1',
      files: [{ path: 'r.md', sha256, size, homePath: null }],
      by: 'prof',
      releaseAt: new Date(),
    });
    ageBlobs('in both courses', 'only in the deleted course', 'feedback of the deleted course');
    // While the course lives, everything stays.
    expect(await collectGarbage(blobs, await blobsInUse(db), BLOB_GRACE_MS)).toMatchObject({ deleted: 0 });

    await courses.markDeleted('gone', 'prof');
    expect(await collectGarbage(blobs, await blobsInUse(db), BLOB_GRACE_MS)).toMatchObject({ deleted: 2 });
    expect(existsSync(blobs.pathOf(sha('in both courses')))).toBe(true);
    expect(existsSync(blobs.pathOf(sha('only in the deleted course')))).toBe(false);
    expect(existsSync(blobs.pathOf(sha('feedback of the deleted course')))).toBe(false);
    const report = await checkStore(db, blobs, {
      hash: { all: true },
      repair: false,
      homeTemplate: path.join(root, 'homes', '{username}'),
    });
    expect(report.broken).toEqual([]);
  });
});

describe('retention', () => {
  it('deletes snapshots older than the retention period, in the audit log as retention', async () => {
    write('s1', 'work.ipynb', 'x');
    await take('s1', 'old_2026-01-01');
    await db.updateTable('snapshots').set({ taken_at: '2026-01-01T00:00:00.000Z' }).execute();
    await take('s1', 'new_2026-11-20');
    const housekeeping = new Housekeeping(
      db,
      blobs,
      {
        courseIds: async () => [course.id],
        retentionDays: 30,
        intervalMs: 1e9,
        checkBytesPerRun: 1e9,
        homeTemplate: '/nonexistent/{username}',
        now: () => new Date('2026-11-23T00:00:00Z'),
      },
      log,
    );
    expect(await housekeeping.applyRetention()).toBe(1);
    const queries = new SnapshotQueries(db, course.id);
    expect((await queries.find('s1', 'old_2026-01-01')).found).toBe('deleted');
    expect((await queries.find('s1', 'new_2026-11-20')).found).toBe('live');
    const audit = await db
      .selectFrom('audit_events')
      .select(['actor', 'action', 'target'])
      .where('action', '=', 'snapshot.deleted')
      .execute();
    expect(audit).toEqual([{ actor: 'retention', action: 'snapshot.deleted', target: 's1/old_2026-01-01' }]);
  });

  it('keeps everything when retention is 0', async () => {
    write('s1', 'work.ipynb', 'x');
    await take('s1', 'old_2026-01-01');
    await db.updateTable('snapshots').set({ taken_at: '2000-01-01T00:00:00.000Z' }).execute();
    const housekeeping = new Housekeeping(
      db,
      blobs,
      {
        courseIds: async () => [course.id],
        retentionDays: 0,
        intervalMs: 1e9,
        checkBytesPerRun: 1e9,
        homeTemplate: '/nonexistent/{username}',
      },
      log,
    );
    expect(await housekeeping.applyRetention()).toBe(0);
  });
});

describe('housekeeping on several replicas', () => {
  it('is done by one replica while it lives, and by another once its lease has lapsed', async () => {
    let now = new Date('2026-11-23T00:00:00Z');
    const clock = () => now;
    const replica = (name: string) =>
      new Housekeeping(
        db,
        blobs,
        {
          courseIds: async () => [course.id],
          retentionDays: 0,
          intervalMs: 60_000,
          checkBytesPerRun: 0,
          homeTemplate: '/nonexistent/{username}',
          leases: new Leases(db, name, clock),
          now: clock,
        },
        log,
      );
    const [a, b] = [replica('a'), replica('b')];
    expect(await a.runIfHeld()).toBe(true);
    expect(await b.runIfHeld()).toBe(false);
    now = new Date(now.getTime() + 60_000);
    expect(await a.runIfHeld()).toBe(true);
    expect(await b.runIfHeld()).toBe(false);
    // a stops running (dies): one and a half intervals after its last run, b carries on.
    now = new Date(now.getTime() + 60_000);
    expect(await b.runIfHeld()).toBe(false);
    now = new Date(now.getTime() + 31_000);
    expect(await b.runIfHeld()).toBe(true);
  });
});
