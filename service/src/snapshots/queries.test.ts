import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BlobStore } from '../blobs/blob-store';
import { type Catalog, migrate } from '../catalog/catalog';
import { openTestCatalog } from '../../test/support/test-catalog';
import { syncCourse } from '../courses/store';
import { createLogger } from '../log';
import { SnapshotQueries } from './queries';
import { SnapshotTaker } from './take';

const course = { id: 'c1', title: 'C', instructorsGroup: 'i', gradersGroup: 'g', studentsGroup: 's' };
const NAME = 'a_2026-11-01';

let root: string;
let db: Catalog;
let taker: SnapshotTaker;

const take = async (student: string, files: number) => {
  const home = path.join(root, 'homes', student);
  mkdirSync(home, { recursive: true });
  for (let i = 0; i < files; i++) writeFileSync(path.join(home, `f${i}.txt`), `${student} ${i}`);
  await taker.take({ courseId: course.id, student, home, baseName: 'a', name: NAME, includeHidden: false, actor: 'prof', jobId: null });
};

beforeEach(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'coursework-queries-'));
  db = await openTestCatalog(root);
  await migrate(db, createLogger('fatal'));
  await syncCourse(db, course);
  const blobs = new BlobStore(path.join(root, 'blobs'), { durable: false });
  taker = new SnapshotTaker(db, blobs, { exclude: [], maxFileBytes: 1e6, maxHomeBytes: 1e7 });
  for (const [i, student] of ['s1', 's2', 's3', 's4', 's5'].entries()) await take(student, i + 1);
});
afterEach(() => db.destroy());

describe('a course zip’s manifests', () => {
  it('are read page by page, in student order, each student once, deleted snapshots left out', async () => {
    const queries = new SnapshotQueries(db, course.id);
    await queries.delete('s3', NAME, 'prof');
    const read: { student: string; files: number }[] = [];
    for await (const { student, manifest } of queries.manifestsByName(NAME, undefined, 2)) read.push({ student, files: manifest.length });
    expect(read).toEqual([
      { student: 's1', files: 1 },
      { student: 's2', files: 2 },
      { student: 's4', files: 4 },
      { student: 's5', files: 5 },
    ]);
    expect(await queries.studentsWithSnapshot(NAME)).toEqual(['s1', 's2', 's4', 's5']);
  });

  it('of some students only, whatever the page size', async () => {
    const queries = new SnapshotQueries(db, course.id);
    for (const pageSize of [1, 2, 50]) {
      const students: string[] = [];
      for await (const { student } of queries.manifestsByName(NAME, ['s5', 's2', 'nobody'], pageSize)) students.push(student);
      expect(students).toEqual(['s2', 's5']);
    }
    expect(await queries.studentsWithSnapshot(NAME, [])).toEqual([]);
    expect(await queries.studentsWithSnapshot('b_2026-11-01')).toEqual([]);
  });
});
