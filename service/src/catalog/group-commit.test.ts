import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../log';
import { type Catalog, migrate } from './catalog';
import { openTestCatalog } from '../../test/support/test-catalog';
import { syncCourse } from '../courses/store';
import { GroupCommit } from './group-commit';

const course = { id: 'c1', title: 'Course', instructorsGroup: 'instructors', gradersGroup: 'g', studentsGroup: 'students' };

async function openCatalog(): Promise<Catalog> {
  const db = await openTestCatalog(mkdtempSync(path.join(os.tmpdir(), 'coursework-group-commit-')));
  await migrate(db, createLogger('fatal'));
  await syncCourse(db, course);
  return db;
}

const insertEvent = (target: string) => (trx: Parameters<Parameters<GroupCommit['run']>[0]>[0]) =>
  trx
    .insertInto('audit_events')
    .values({ course_id: course.id, at: new Date().toISOString(), actor: 'test', action: 'snapshot.taken', target, detail: '{}' })
    .execute()
    .then(() => target);

const targets = async (db: Catalog) =>
  (await db.selectFrom('audit_events').select('target').orderBy('target').execute()).map((r) => r.target);

describe('group commit', () => {
  it('commits writes that arrive together in one transaction, and answers each with its own result', async () => {
    const db = await openCatalog();
    const transactions = jest.spyOn(db, 'transaction');
    const commits = new GroupCommit(db);
    const names = Array.from({ length: 10 }, (_, i) => `s${i}`);
    expect(await Promise.all(names.map((name) => commits.run(insertEvent(name))))).toEqual(names);
    expect(transactions).toHaveBeenCalledTimes(1);
    expect(await targets(db)).toEqual([...names].sort());
    await db.destroy();
  });

  it('lets a failing write fail alone: its rows are rolled back, the others of its batch commit', async () => {
    const db = await openCatalog();
    const commits = new GroupCommit(db);
    const failing = commits.run(async (trx) => {
      await insertEvent('half-done')(trx);
      throw new Error('disk full');
    });
    const results = await Promise.allSettled([commits.run(insertEvent('a')), failing, commits.run(insertEvent('b'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('disk full'));
    expect(await targets(db)).toEqual(['a', 'b']);
    await db.destroy();
  });

  it('takes writes that arrive during a commit into the next one', async () => {
    const db = await openCatalog();
    const commits = new GroupCommit(db);
    const first = commits.run(insertEvent('first'));
    await first;
    expect(await commits.run(insertEvent('second'))).toBe('second');
    expect(await targets(db)).toEqual(['first', 'second']);
    await db.destroy();
  });
});
