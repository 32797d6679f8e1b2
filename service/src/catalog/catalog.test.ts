import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../log';
import { migrate, openSqliteCatalog, syncCourse } from './catalog';

const log = createLogger('fatal');

describe('the SQLite catalog', () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'coursework-catalog-')), 'catalog.sqlite');

  it('applies its migrations once, and again on a reopened file applies none', async () => {
    const first = openSqliteCatalog(file);
    expect(await migrate(first, log)).toEqual([
      '0001-courses-and-audit',
      '0002-snapshots-and-jobs',
      '0003-feedback',
      '0004-assignments',
      '0005-integrity',
    ]);
    await first.destroy();
    const second = openSqliteCatalog(file);
    expect(await migrate(second, log)).toEqual([]);
    await second.destroy();
  });

  it('keeps the configured course in step with the config', async () => {
    const db = openSqliteCatalog(file);
    await migrate(db, log);
    const course = { id: 'stat-100', title: 'Statistics', instructorsGroup: 'teachers', studentsGroup: 'learners' };
    await syncCourse(db, course, new Date('2026-01-01T00:00:00Z'));
    await syncCourse(db, { ...course, title: 'Statistics 100' }, new Date('2026-02-01T00:00:00Z'));
    const rows = await db.selectFrom('courses').selectAll().where('id', '=', 'stat-100').execute();
    expect(rows).toEqual([
      {
        id: 'stat-100',
        title: 'Statistics 100',
        instructors_group: 'teachers',
        students_group: 'learners',
        created_at: '2026-01-01T00:00:00.000Z',
        updated_at: '2026-02-01T00:00:00.000Z',
      },
    ]);
    await db.destroy();
  });
});
