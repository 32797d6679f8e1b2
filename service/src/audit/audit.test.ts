import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { type Catalog, migrate, openSqliteCatalog } from '../catalog/catalog';
import { syncCourse } from '../courses/store';
import { createLogger } from '../log';
import { pendingAuditEvents, readAudit, recordAuditSoon } from './audit';

let db: Catalog;
beforeEach(async () => {
  db = openSqliteCatalog(path.join(mkdtempSync(path.join(os.tmpdir(), 'coursework-audit-')), 'catalog.sqlite'));
  await migrate(db, createLogger('fatal'));
  await syncCourse(db, { id: 'c1', title: 'C', instructorsGroup: 'i', gradersGroup: 'g', studentsGroup: 's' });
});
afterEach(async () => {
  jest.useRealTimers();
  await db.destroy();
});

const download = (target: string) => ({ courseId: 'c1', actor: 'prof', action: 'snapshot.downloaded' as const, target });
const targets = async () => (await readAudit(db, 'c1', { offset: 0, limit: 50 })).items.map((e) => [e.target, e.at]);

it('keeps the events a catalog refuses, in order and with their times, and writes them once it accepts writes again', async () => {
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
  // The real catalog refusing every write, as it does when its disk is full.
  await sql`PRAGMA query_only = ON`.execute(db);
  recordAuditSoon(db, download('a'), new Date('2026-11-28T10:00:00Z'));
  await jest.advanceTimersByTimeAsync(10);
  recordAuditSoon(db, download('b'), new Date('2026-11-28T10:00:01Z'));
  expect(pendingAuditEvents(db)).toBe(2);
  await jest.advanceTimersByTimeAsync(6_000);
  expect(pendingAuditEvents(db)).toBe(2);

  await sql`PRAGMA query_only = OFF`.execute(db);
  await jest.advanceTimersByTimeAsync(6_000);
  expect(pendingAuditEvents(db)).toBe(0);
  // Newest first, each with the time it happened, not the time it was written.
  expect(await targets()).toEqual([
    ['b', '2026-11-28T10:00:01.000Z'],
    ['a', '2026-11-28T10:00:00.000Z'],
  ]);
});
