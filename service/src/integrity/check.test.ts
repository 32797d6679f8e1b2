import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, truncateSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BlobStore, unsynced } from '../blobs/blob-store';
import { type Catalog, migrate } from '../catalog/catalog';
import { openTestCatalog } from '../../test/support/test-catalog';
import { createLogger } from '../log';
import { checkStore, parseHashSelection } from './check';
import { CourseStore, NO_CAPTURE_SETTINGS } from '../courses/store';
import { ExchangeReleases } from '../exchange/releases';

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let db: Catalog;
let blobs: BlobStore;
let stored: { sha256: string; size: number }[];

beforeEach(async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'coursework-check-'));
  db = await openTestCatalog(root);
  await migrate(db, createLogger('fatal'));
  blobs = new BlobStore(path.join(root, 'blobs'), { durable: false });
  stored = [];
  for (let i = 0; i < 40; i++) {
    const bytes = randomBytes(1000 + i);
    blobs.putBufferSync(sha(bytes), bytes, unsynced());
    stored.push({ sha256: sha(bytes), size: bytes.length });
  }
  stored.sort((a, b) => a.sha256.localeCompare(b.sha256));
});
afterEach(() => db.destroy());

const check = (hash: Parameters<typeof checkStore>[2]['hash'], repair = false) =>
  checkStore(db, blobs, { hash, repair, homeTemplate: '/nonexistent/{username}' });

describe('the store check', () => {
  it('reads the subsets restic does: all, none, a share, a slice', () => {
    expect(parseHashSelection('all')).toEqual({ all: true });
    expect(parseHashSelection('100%')).toEqual({ all: true });
    expect(parseHashSelection('none')).toEqual({ fraction: 0 });
    expect(parseHashSelection('10%')).toEqual({ fraction: 0.1 });
    expect(parseHashSelection('2/5')).toEqual({ slice: 2, of: 5 });
    for (const bad of ['', '101%', '0/5', '6/5', 'half', '-1%', '1/0']) expect(parseHashSelection(bad)).toBeUndefined();
  });

  it('hashes every blob once over the slices of a partition', async () => {
    const hashed = [];
    for (let slice = 1; slice <= 3; slice++) hashed.push((await check({ slice, of: 3 })).hashed);
    expect(hashed.reduce((a, b) => a + b, 0)).toBe(stored.length);
    expect((await check({ fraction: 0 })).hashed).toBe(0);
    expect((await check({ all: true })).hashed).toBe(stored.length);
  });

  it('goes on where the last rolling run stopped, within its budget of bytes, and wraps around', async () => {
    const first = await check({ bytes: 5000, after: '' });
    expect(first.hashedUpTo).toBe(stored[4]!.sha256);
    expect(first.hashed).toBe(5);
    const second = await check({ bytes: 5000, after: first.hashedUpTo! });
    expect(second.hashedUpTo).toBe(stored[9]!.sha256);
    const wrapped = await check({ bytes: 5000, after: stored[38]!.sha256 });
    expect(wrapped.hashed).toBe(5);
    expect(wrapped.hashedUpTo).toBe(stored[3]!.sha256);
  });

  it('reports a short blob without touching it when asked only to report, and quarantines it otherwise', async () => {
    truncateSync(blobs.pathOf(stored[7]!.sha256), 40);
    const report = await check({ fraction: 0 });
    expect(report).toMatchObject({
      ok: false,
      blobs: stored.length,
      broken: [{ sha256: stored[7]!.sha256, problem: 'short', neededBy: [] }],
    });
    expect((await blobs.check(stored[7]!.sha256)).ok).toBe(false);
    // Needed by nothing and not repairable from a home: quarantined, and the store is whole again.
    const repaired = await check({ fraction: 0 }, true);
    expect(repaired).toMatchObject({ ok: true, broken: [{ sha256: stored[7]!.sha256, problem: 'short' }] });
    expect(await blobs.check(stored[7]!.sha256)).toEqual({ sha256: stored[7]!.sha256, ok: false, problem: 'missing' });
    expect((await check({ all: true })).broken).toEqual([]);
  });

  it("names the exchange's releases and submissions that need a blob the store lacks", async () => {
    await new CourseStore(db).create(
      { id: 'nb', title: 'NB', timeZone: null, groups: { instructors: 'i', graders: null, students: 's' }, capture: NO_CAPTURE_SETTINGS },
      'test',
    );
    const missing = 'f'.repeat(64);
    const file = { path: 'ps1.ipynb', sha256: missing, size: 3, md5: 'm' };
    expect(
      await new ExchangeReleases(db, 'nb').add(
        'ps1',
        [file, { ...file, path: 'ok.txt', sha256: stored[0]!.sha256 }],
        'teacher',
        new Date(),
      ),
    ).toBe(true);
    const report = await check({ fraction: 0 });
    expect(report.broken).toEqual([{ sha256: missing, problem: 'missing', neededBy: ['exchange release nb/ps1: ps1.ipynb'] }]);
  });
});
