import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../log';
import { migrate } from './catalog';
import { openTestCatalog } from '../../test/support/test-catalog';
import { syncCourse } from '../courses/store';
import { prepareQuery } from './prepared';

describe('prepared queries', () => {
  it('run with each call’s own values, a parameter used twice and a constant of the query kept', async () => {
    const db = await openTestCatalog(mkdtempSync(path.join(os.tmpdir(), 'coursework-prepared-')));
    await migrate(db, createLogger('fatal'));
    await syncCourse(db, { id: 'c1', title: 'Course', instructorsGroup: 'i', gradersGroup: 'g', studentsGroup: 's' });
    const insert = prepareQuery((d, p: { target: string; at: string }) =>
      d
        .insertInto('audit_events')
        .values({ course_id: 'c1', at: p.at, actor: p.target, action: 'snapshot.taken', target: p.target, detail: '{}' }),
    );
    const compile = jest.spyOn(db, 'insertInto');
    await insert(db, { target: 'ada', at: '2026-01-01T00:00:00.000Z' });
    await insert(db, { target: 'grace', at: '2026-01-02T00:00:00.000Z' });
    // Built once, run twice.
    expect(compile).toHaveBeenCalledTimes(1);
    const rows = await db.selectFrom('audit_events').select(['course_id', 'at', 'actor', 'action', 'target']).orderBy('at').execute();
    expect(rows).toEqual([
      { course_id: 'c1', at: '2026-01-01T00:00:00.000Z', actor: 'ada', action: 'snapshot.taken', target: 'ada' },
      { course_id: 'c1', at: '2026-01-02T00:00:00.000Z', actor: 'grace', action: 'snapshot.taken', target: 'grace' },
    ]);
    await db.destroy();
  });
});
