/** The snapshot engine on real homes on disk: what it takes, what it refuses, and what it reuses. */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { BlobStore } from '../blobs/blob-store';
import { type Catalog, migrate } from '../catalog/catalog';
import { openTestCatalog } from '../../test/support/test-catalog';
import { syncCourse } from '../courses/store';
import { createLogger } from '../log';
import { scanHome } from './home-scan';
import { type ManifestEntry, SnapshotTaker } from './take';

const course = { id: 'c1', title: 'C', instructorsGroup: 'i', gradersGroup: 'g', studentsGroup: 's' };
const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const LONG_AGO = new Date('2026-01-01T00:00:00Z');

let root: string;
let db: Catalog;
let blobs: BlobStore;
let taker: SnapshotTaker;

function countBlobs(): number {
  let count = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name));
      else if (!entry.name.startsWith('.tmp-')) count++;
    }
  };
  walk(blobs.root);
  return count;
}

async function manifestOf(
  student: string,
  name: string,
): Promise<{ entries: ManifestEntry[]; skipped: { path: string; reason: string }[] }> {
  const row = await db
    .selectFrom('snapshots')
    .select(['manifest', 'skipped', 'manifest_sha256'])
    .where('student', '=', student)
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  const entries = JSON.parse(row.manifest) as ManifestEntry[];
  // The receipt's digest is the SHA-256 of the manifest as stored, computed here independently.
  expect(row.manifest_sha256).toBe(sha(row.manifest));
  return { entries, skipped: JSON.parse(row.skipped) as { path: string; reason: string }[] };
}

function backdate(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink() || entry.isFIFO()) continue;
    if (entry.isDirectory()) backdate(full);
    utimesSync(full, LONG_AGO, LONG_AGO);
  }
}

function makeHome(name: string): string {
  const home = path.join(root, 'homes', name);
  mkdirSync(path.join(home, 'practice'), { recursive: true });
  mkdirSync(path.join(home, '.ipynb_checkpoints'));
  writeFileSync(path.join(home, 'assignment-1.ipynb'), JSON.stringify({ cells: [{ source: `work of ${name}`.repeat(200) }] }));
  writeFileSync(path.join(home, 'practice', 'p1.ipynb'), '{"cells": []}');
  writeFileSync(path.join(home, '.ipynb_checkpoints', 'assignment-1-checkpoint.ipynb'), 'checkpoint');
  writeFileSync(path.join(home, '.hidden_rc'), 'secret-ish');
  writeFileSync(path.join(home, 'dataset.bin'), Buffer.alloc(300_000, 7)); // identical in every home
  return home;
}

beforeEach(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'coursework-take-'));
  db = await openTestCatalog(root);
  await migrate(db, createLogger('fatal'));
  await syncCourse(db, course);
  blobs = new BlobStore(path.join(root, 'blobs'), { durable: false });
  taker = new SnapshotTaker(db, blobs, { exclude: ['*.tmp'], maxFileBytes: 1_000_000, maxHomeBytes: 10_000_000 });
});
afterEach(() => db.destroy());

const request = (student: string, home: string, extra: Partial<Parameters<SnapshotTaker['take']>[0]> = {}) => ({
  courseId: course.id,
  student,
  home,
  baseName: 'hw1',
  name: 'hw1_2026-11-23',
  includeHidden: false,
  actor: 'instructor',
  jobId: null,
  ...extra,
});

describe('scanning a home', () => {
  it('streams a file too large to read at once, and leaves every new blob, small or large, for the caller to sync', async () => {
    const home = path.join(root, 'homes', 'big');
    mkdirSync(home, { recursive: true });
    // Over the 8 MB read at once: text first (so it is stored deflated), then bytes that do not compress.
    const large = Buffer.concat([Buffer.from('cell output\n'.repeat(500_000)), randomBytes(3_000_000)]);
    writeFileSync(path.join(home, 'large.bin'), large);
    writeFileSync(path.join(home, 'small.txt'), 'a few bytes');
    backdate(home);
    const store = new BlobStore(path.join(root, 'durable-blobs'));
    const walk = { includeHidden: false, exclude: [], maxFileBytes: 50_000_000, maxHomeBytes: 50_000_000 };
    const scan = await scanHome({ home, walk, previous: null }, store);
    if (scan === 'no-home') throw new Error('the home is there');
    expect(scan).toMatchObject({ files: 2, read: 2, newBlobs: 2 });
    const blobFiles = [store.pathOf(sha(large)), store.pathOf(sha('a few bytes'))];
    expect([...scan.unsynced.files].sort()).toEqual(blobFiles.sort());
    expect([...scan.unsynced.folders].sort()).toEqual([...new Set(blobFiles.map((file) => path.dirname(file)))].sort());
    const { info, stream } = await store.openContent(sha(large));
    expect(info.encoding).toBe('deflate');
    expect((await buffer(stream)).equals(large)).toBe(true);
  });
});

describe('SnapshotTaker', () => {
  it('records every visible file with its hash, and the bytes in the store', async () => {
    const home = makeHome('s1');
    const result = await taker.take(request('s1', home));
    expect(result).toMatchObject({ status: 'taken', files: 3, newBlobs: 3 });
    const { entries, skipped } = await manifestOf('s1', 'hw1_2026-11-23');
    expect(entries.map((e) => e.path)).toEqual(['assignment-1.ipynb', 'dataset.bin', 'practice/p1.ipynb']);
    for (const entry of entries) {
      const original = readFileSync(path.join(home, entry.path));
      expect(entry.sha256).toBe(sha(original));
      expect(entry.size).toBe(original.length);
      const { stream } = await blobs.openContent(entry.sha256!);
      expect((await buffer(stream)).equals(original)).toBe(true);
    }
    expect(skipped).toEqual([
      { path: '.hidden_rc', reason: 'hidden' },
      { path: '.ipynb_checkpoints', reason: 'hidden' },
    ]);
  });

  it('takes hidden files only when asked', async () => {
    const home = makeHome('s1');
    await taker.take(request('s1', home, { includeHidden: true }));
    const { entries } = await manifestOf('s1', 'hw1_2026-11-23');
    expect(entries.map((e) => e.path)).toContain('.hidden_rc');
    expect(entries.map((e) => e.path)).toContain('.ipynb_checkpoints/assignment-1-checkpoint.ipynb');
  });

  it('stores identical bytes once across students, and re-snapshots an unchanged home without reading it', async () => {
    const first = makeHome('s1');
    const second = makeHome('s2');
    backdate(first);
    backdate(second);
    await taker.take(request('s1', first));
    const afterFirst = countBlobs();
    const other = await taker.take(request('s2', second));
    expect(other.newBlobs).toBe(1); // only s2's own notebook; the dataset and p1 are shared
    expect(countBlobs()).toBe(afterFirst + 1);
    const again = await taker.take(request('s1', first, { name: 'hw1b_2026-11-23', baseName: 'hw1b' }));
    expect(again).toMatchObject({ status: 'taken', files: 3, read: 0, newBlobs: 0 });
    expect(countBlobs()).toBe(afterFirst + 1);
  });

  it('keeps the index of an unchanged home as it is, and rewrites it when a file changed or went', async () => {
    const home = makeHome('s1');
    backdate(home);
    const index = () =>
      db.selectFrom('home_index').select(['walked_at_ns', 'entries']).where('student', '=', 's1').executeTakeFirstOrThrow();
    await taker.take(request('s1', home));
    const first = await index();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await taker.take(request('s1', home, { name: 'hw1b_2026-11-23' }));
    expect(await index()).toEqual(first);
    execFileSync('rm', [path.join(home, 'practice', 'p1.ipynb')]);
    await taker.take(request('s1', home, { name: 'hw1c_2026-11-23' }));
    const afterRemoval = await index();
    expect(afterRemoval.walked_at_ns).not.toBe(first.walked_at_ns);
    expect(Object.keys(JSON.parse(afterRemoval.entries) as object)).not.toContain('practice/p1.ipynb');
  });

  it('hashes again a file whose stat data changed, and a file too recent to trust', async () => {
    const home = makeHome('s1');
    backdate(home);
    await taker.take(request('s1', home));
    writeFileSync(path.join(home, 'assignment-1.ipynb'), '{"changed": true}');
    utimesSync(path.join(home, 'assignment-1.ipynb'), LONG_AGO, LONG_AGO); // same mtime, new ctime and size
    const result = await taker.take(request('s1', home, { name: 'hw1b_2026-11-23' }));
    expect(result.read).toBe(1);
    const { entries } = await manifestOf('s1', 'hw1b_2026-11-23');
    expect(entries.find((e) => e.path === 'assignment-1.ipynb')!.sha256).toBe(sha('{"changed": true}'));

    writeFileSync(path.join(home, 'practice', 'p1.ipynb'), '{"cells": [1]}'); // mtime = now: racy
    const racy = await taker.take(request('s1', home, { name: 'hw1c_2026-11-23' }));
    expect(racy.read).toBe(1);
  });

  it('never follows symlinks, never opens FIFOs, caps sizes, and reports each refusal', async () => {
    const home = makeHome('s1');
    const otherHome = makeHome('s2');
    symlinkSync('/etc/passwd', path.join(home, 'passwords.txt'));
    symlinkSync(otherHome, path.join(home, 'friend'));
    symlinkSync(path.join(home, 'nowhere'), path.join(home, 'dangling'));
    execFileSync('mkfifo', [path.join(home, 'pipe')]);
    writeFileSync(path.join(home, 'huge.bin'), Buffer.alloc(1_000_001));
    writeFileSync(path.join(home, 'scratch.tmp'), 'excluded');
    writeFileSync(path.join(home, 'my notes é.txt'), 'spaces and unicode');
    writeFileSync(path.join(home, 'new\nline.txt'), 'control character in name');
    const result = await taker.take(request('s1', home));
    expect(result.status).toBe('taken');
    const { entries, skipped } = await manifestOf('s1', 'hw1_2026-11-23');
    const byPath = Object.fromEntries(entries.map((e) => [e.path, e]));
    for (const link of ['passwords.txt', 'friend', 'dangling']) {
      expect(byPath[link]).toMatchObject({ type: 'symlink', sha256: null, size: 0 });
    }
    expect(byPath['my notes é.txt']).toMatchObject({ type: 'file', sha256: sha('spaces and unicode') });
    expect(skipped).toEqual(
      expect.arrayContaining([
        { path: 'pipe', reason: 'fifo' },
        { path: 'huge.bin', reason: 'over-file-cap' },
        { path: 'scratch.tmp', reason: 'excluded' },
        { path: 'new\nline.txt', reason: 'unusable-name' },
      ]),
    );
    // Nothing of /etc/passwd or of the other home reached the store.
    const passwd = readFileSync('/etc/passwd');
    const stored = entries.filter((e) => e.sha256).map((e) => e.sha256);
    expect(stored).not.toContain(sha(passwd));
    expect(stored.filter((h) => h === sha(readFileSync(path.join(otherHome, 'assignment-1.ipynb'))))).toEqual([]);
  });

  it('stops taking files at the per-home cap', async () => {
    const home = makeHome('s1');
    const capped = new SnapshotTaker(db, blobs, { exclude: [], maxFileBytes: 1_000_000, maxHomeBytes: 200_000 });
    await capped.take(request('s1', home));
    const { entries, skipped } = await manifestOf('s1', 'hw1_2026-11-23');
    expect(entries.reduce((sum, e) => sum + e.size, 0)).toBeLessThanOrEqual(200_000);
    expect(skipped.some((s) => s.reason === 'over-home-cap')).toBe(true);
  });

  it('never takes a name twice for a student, and says why', async () => {
    const home = makeHome('s1');
    expect((await taker.take(request('s1', home))).status).toBe('taken');
    writeFileSync(path.join(home, 'assignment-1.ipynb'), 'later work');
    expect((await taker.take(request('s1', home))).status).toBe('exists');
    const { entries } = await manifestOf('s1', 'hw1_2026-11-23');
    expect(entries.find((e) => e.path === 'assignment-1.ipynb')!.sha256).not.toBe(sha('later work'));
    const concurrent = await Promise.all([
      taker.take(request('s1', home, { name: 'x_2026-11-23' })),
      taker.take(request('s1', home, { name: 'x_2026-11-23' })),
    ]);
    expect(concurrent.map((r) => r.status).sort()).toEqual(['exists', 'taken']);
  });

  it('reports a missing home, or one that is a symlink, instead of failing or following it', async () => {
    expect((await taker.take(request('ghost', path.join(root, 'homes', 'ghost')))).status).toBe('no-home');
    const real = makeHome('s1');
    symlinkSync(real, path.join(root, 'homes', 'alias'));
    expect((await taker.take(request('alias', path.join(root, 'homes', 'alias')))).status).toBe('no-home');
  });

  it('records each snapshot in the audit log', async () => {
    await taker.take(request('s1', makeHome('s1')));
    const events = await db.selectFrom('audit_events').selectAll().execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: 'instructor', action: 'snapshot.taken', target: 's1/hw1_2026-11-23' });
  });
});
