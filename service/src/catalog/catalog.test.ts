import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../log';
import { migrate, openSqliteCatalog } from './catalog';

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
      '0006-courses-and-members',
      '0007-course-capture',
      '0008-exchange',
    ]);
    await first.destroy();
    const second = openSqliteCatalog(file);
    expect(await migrate(second, log)).toEqual([]);
    await second.destroy();
  });
});
