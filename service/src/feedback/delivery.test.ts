/**
 * Feedback delivery on several replicas of one catalog: each replica's delivery loop runs, and every released file
 * reaches the home once (a second writer would find the first one's file and keep both).
 */
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BlobStore } from '../blobs/blob-store';
import { type Catalog, migrate } from '../catalog/catalog';
import { loadConfig } from '../config';
import { syncCourse } from '../courses/store';
import { createLogger } from '../log';
import { Leases } from '../replicas/leases';
import { HUB_ENV, openTestCatalog } from '../../test/support/test-catalog';
import { createFeedbackServices } from './services';

const log = createLogger('fatal');
const course = { id: 'c1', title: 'C', instructorsGroup: 'i', gradersGroup: 'g', studentsGroup: 's' };
const STUDENTS = Array.from({ length: 12 }, (_, i) => `s${i}`);

let root: string;
let db: Catalog;

beforeEach(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'coursework-delivery-'));
  for (const student of STUDENTS) mkdirSync(path.join(root, 'homes', student), { recursive: true });
  db = await openTestCatalog(root);
  await migrate(db, log);
  await syncCourse(db, course);
});
afterEach(() => db.destroy());

function replica(name: string) {
  const config = loadConfig({
    ...HUB_ENV,
    COURSEWORK_DATA_DIR: root,
    COURSEWORK_HOME_TEMPLATE: `${root}/homes/{username}`,
  });
  const blobs = new BlobStore(path.join(root, 'blobs'), { durable: false });
  return createFeedbackServices(config, db, blobs, course.id, log, { leases: new Leases(db, name) });
}

const filesIn = (student: string) =>
  readdirSync(path.join(root, 'homes', student), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(path.join(root, 'homes', student), path.join(entry.parentPath, entry.name)));

it('delivers each released file into the home once, with two replicas delivering at the same time', async () => {
  const [a, b] = [replica('a'), replica('b')];
  // Released now with delivery, on replica a (which kicks its own loop); b's loop runs at the same moment.
  const releases = STUDENTS.map((student) =>
    a.release(student, 'hw1', [{ path: 'report.html', bytes: Buffer.from(`<p>${student}</p>`) }], { by: 'prof', deliver: true }),
  );
  await Promise.all(releases);
  await Promise.all([a.delivery.kick(), b.delivery.kick(), a.delivery.kick(), b.delivery.kick()]);
  // A replica that found the lease held looks again shortly: wait until every file is recorded delivered.
  for (let i = 0; i < 100; i++) {
    const undelivered = await db.selectFrom('feedback_files').select('id').where('delivered_at', 'is', null).execute();
    if (undelivered.length === 0) break;
    await Promise.all([a.delivery.kick(), b.delivery.kick()]);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (const student of STUDENTS) expect(filesIn(student)).toEqual([path.join('feedback', 'hw1', 'report.html')]);
  a.delivery.stop();
  b.delivery.stop();
});
