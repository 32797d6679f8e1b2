import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Catalog, migrate } from '../catalog/catalog';
import { openTestCatalog } from '../../test/support/test-catalog';
import { createLogger } from '../log';
import { Leases } from './leases';

let db: Catalog;
let now: Date;
const clock = () => now;

beforeEach(async () => {
  db = await openTestCatalog(mkdtempSync(path.join(os.tmpdir(), 'coursework-leases-')));
  await migrate(db, createLogger('fatal'));
  now = new Date('2026-12-01T12:00:00.000Z');
});
afterEach(() => db.destroy());

describe('named leases', () => {
  it('go to one replica at a time, are renewed by their holder, and pass to another once lapsed', async () => {
    const a = new Leases(db, 'a', clock);
    const b = new Leases(db, 'b', clock);
    expect(await a.acquire('housekeeping', 10_000)).toBe(true);
    expect(await b.acquire('housekeeping', 10_000)).toBe(false);
    now = new Date(now.getTime() + 9_000);
    expect(await a.acquire('housekeeping', 10_000)).toBe(true);
    now = new Date(now.getTime() + 9_000);
    expect(await b.acquire('housekeeping', 10_000)).toBe(false);
    now = new Date(now.getTime() + 2_000);
    expect(await b.acquire('housekeeping', 10_000)).toBe(true);
    expect(await a.acquire('housekeeping', 10_000)).toBe(false);
    // Other names are other leases.
    expect(await a.acquire('delivery:c1', 10_000)).toBe(true);
  });

  it('given back, are free at once to another replica; given back by another, stay held', async () => {
    const a = new Leases(db, 'a', clock);
    const b = new Leases(db, 'b', clock);
    expect(await a.acquire('housekeeping', 60_000)).toBe(true);
    await b.release('housekeeping');
    expect(await b.acquire('housekeeping', 60_000)).toBe(false);
    await a.release('housekeeping');
    expect(await b.acquire('housekeeping', 60_000)).toBe(true);
  });

  it('go to exactly one of many replicas asking at the same moment', async () => {
    const replicas = Array.from({ length: 8 }, (_, i) => new Leases(db, `r${i}`, clock));
    const taken = await Promise.all(replicas.map((leases) => leases.acquire('housekeeping', 10_000)));
    expect(taken.filter(Boolean)).toHaveLength(1);
  });
});
