import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Catalog, migrate } from '../catalog/catalog';
import { openTestCatalog, refuseWrites } from '../../test/support/test-catalog';
import { syncCourse } from '../courses/store';
import { createLogger } from '../log';
import { flushAuditSoon, pendingAuditEvents, readAudit, recordAuditSoon } from './audit';

let db: Catalog;
beforeEach(async () => {
  db = await openTestCatalog(mkdtempSync(path.join(os.tmpdir(), 'coursework-audit-')));
  await migrate(db, createLogger('fatal'));
  await syncCourse(db, { id: 'c1', title: 'C', instructorsGroup: 'i', gradersGroup: 'g', studentsGroup: 's' });
});
afterEach(async () => {
  jest.useRealTimers();
  await db.destroy();
});

/** Waits (on real I/O, not the faked clock) until `done` holds; the catalog's answers take real time. */
async function until(done: () => boolean): Promise<void> {
  // process.hrtime: the one clock jest's fake timers leave alone.
  const deadline = process.hrtime.bigint() + 10_000_000_000n;
  while (!done() && process.hrtime.bigint() < deadline) await new Promise((resolve) => setImmediate(resolve));
  expect(done()).toBe(true);
}

const download = (target: string) => ({ courseId: 'c1', actor: 'prof', action: 'snapshot.downloaded' as const, target });
const targets = async () => (await readAudit(db, 'c1', { offset: 0, limit: 50 })).items.map((e) => [e.target, e.at]);

it('keeps the events a catalog refuses, in order and with their times, and writes them once it accepts writes again', async () => {
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
  // The real catalog refusing every write, as it does when its disk is full.
  await refuseWrites(db, true);
  recordAuditSoon(db, download('a'), new Date('2026-11-28T10:00:00Z'));
  await until(() => pendingAuditEvents(db) === 1);
  recordAuditSoon(db, download('b'), new Date('2026-11-28T10:00:01Z'));
  expect(pendingAuditEvents(db)).toBe(2);
  await jest.advanceTimersByTimeAsync(6_000);
  expect(pendingAuditEvents(db)).toBe(2);

  await refuseWrites(db, false);
  await jest.advanceTimersByTimeAsync(6_000);
  await until(() => pendingAuditEvents(db) === 0);
  // Newest first, each with the time it happened, not the time it was written.
  expect(await targets()).toEqual([
    ['b', '2026-11-28T10:00:01.000Z'],
    ['a', '2026-11-28T10:00:00.000Z'],
  ]);
});

it('writes the events of a moment together, in the order they happened, and at once when the service stops', async () => {
  for (let i = 0; i < 1200; i++) recordAuditSoon(db, download(`f${i}`), new Date(Date.UTC(2026, 10, 28, 10, 0, 0, i)));
  expect(pendingAuditEvents(db)).toBe(1200);
  expect(await flushAuditSoon(db)).toBe(true);
  expect(pendingAuditEvents(db)).toBe(0);
  const rows = await db.selectFrom('audit_events').select(['target']).where('action', '=', 'snapshot.downloaded').orderBy('id').execute();
  expect(rows.map((r) => r.target)).toEqual(Array.from({ length: 1200 }, (_, i) => `f${i}`));
  // And without being asked: shortly after.
  recordAuditSoon(db, download('later'));
  await until(() => pendingAuditEvents(db) === 0);
  expect((await targets())[0]![0]).toBe('later');
});
