import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { BlobStore, unsynced } from '../blobs/blob-store';
import { scanHome } from '../snapshots/home-scan';
import { storeHomeFile } from './read-file';
import type { WalkedFile } from './walk';

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let root: string;
let home: string;
let blobs: BlobStore;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'coursework-read-'));
  home = path.join(root, 'home');
  execFileSync('mkdir', ['-p', home]);
  blobs = new BlobStore(path.join(root, 'blobs'), { durable: false });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** What the walk would have seen of a file. */
function walked(relative: string): WalkedFile {
  const stats = statSync(path.join(home, relative), { bigint: true });
  return {
    path: relative,
    type: 'file',
    size: Number(stats.size),
    mode: Number(stats.mode & 0o777n),
    mtimeNs: stats.mtimeNs.toString(),
    ino: stats.ino.toString(),
    ctimeNs: stats.ctimeNs.toString(),
    dev: stats.dev.toString(),
  };
}

describe('reading a file of a home into the store', () => {
  it('stores small and large files under their hash, once', async () => {
    for (const [name, bytes] of [
      ['small.ipynb', Buffer.from('{"cells": []}')],
      ['large.bin', randomBytes(9 * 1024 * 1024)],
    ] as const) {
      writeFileSync(path.join(home, name), bytes);
      const first = await storeHomeFile(path.join(home, name), walked(name), blobs, unsynced());
      expect(first).toEqual({ ok: true, sha256: sha(bytes), size: bytes.length, added: true, changed: false });
      const again = await storeHomeFile(path.join(home, name), walked(name), new BlobStore(blobs.root, { durable: false }), unsynced());
      expect(again).toMatchObject({ ok: true, sha256: sha(bytes), added: false });
    }
  });

  it('opens nothing but the file the walk saw: a swapped-in symlink, another file or a vanished one are not read', async () => {
    writeFileSync(path.join(home, 'work.py'), 'print(1)');
    const seen = walked('work.py');
    // Swapped for a symlink to a file the student may not read (the original is kept aside, so that its inode
    // is not handed to the next new file).
    renameSync(path.join(home, 'work.py'), path.join(root, 'kept.py'));
    symlinkSync('/etc/passwd', path.join(home, 'work.py'));
    expect(await storeHomeFile(path.join(home, 'work.py'), seen, blobs, unsynced())).toEqual({ ok: false, reason: 'vanished' });
    // Swapped for another file (another inode) under the same name.
    unlinkSync(path.join(home, 'work.py'));
    writeFileSync(path.join(home, 'other.py'), 'secret');
    renameSync(path.join(home, 'other.py'), path.join(home, 'work.py'));
    expect(await storeHomeFile(path.join(home, 'work.py'), seen, blobs, unsynced())).toEqual({ ok: false, reason: 'vanished' });
    unlinkSync(path.join(home, 'work.py'));
    expect(await storeHomeFile(path.join(home, 'work.py'), seen, blobs, unsynced())).toEqual({ ok: false, reason: 'vanished' });
  });

  it('never blocks on a FIFO swapped in for a file', async () => {
    writeFileSync(path.join(home, 'pipe'), 'x');
    const seen = walked('pipe');
    unlinkSync(path.join(home, 'pipe'));
    execFileSync('mkfifo', [path.join(home, 'pipe')]);
    expect(await storeHomeFile(path.join(home, 'pipe'), seen, blobs, unsynced())).toEqual({ ok: false, reason: 'vanished' });
  });
});

describe('a file that changes while it is read', () => {
  let writer: ChildProcess | undefined;
  afterEach(() => writer?.kill('SIGKILL'));

  it('is captured every time, from one complete read, and marked so in the manifest', async () => {
    const log = path.join(home, 'training.log');
    writeFileSync(log, randomBytes(20 * 1024 * 1024));
    // A student's process appending to it, as a training run writes its log: for 600 writes (3 s at least) and no
    // more, so that on a slow machine the scans, which read the whole file up to six times each, do not chase a file
    // that grows faster than they read it.
    writer = spawn(process.execPath, [
      '-e',
      `const fs = require('fs'); const fd = fs.openSync(${JSON.stringify(log)}, 'a'); const chunk = Buffer.alloc(64 * 1024, 120);
       let writes = 0; const timer = setInterval(() => { fs.writeSync(fd, chunk); if (++writes === 600) clearInterval(timer); }, 5);`,
    ]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const notes: (string | undefined)[] = [];
    for (let run = 0; run < 6; run++) {
      const scan = await scanHome(
        { home, walk: { includeHidden: false, exclude: [], maxFileBytes: 1e9, maxHomeBytes: 1e10 }, previous: null },
        blobs,
      );
      if (scan === 'no-home') throw new Error('no home');
      expect(scan.skipped).toEqual([]);
      const entry = (JSON.parse(scan.manifestJson) as { path: string; sha256: string; size: number; note?: string }[]).find(
        (e) => e.path === 'training.log',
      )!;
      expect(entry).toBeDefined();
      // What is kept is consistent: the blob's bytes hash to the manifest's hash, with the manifest's size.
      expect(await blobs.check(entry.sha256, { hash: true })).toMatchObject({ ok: true, info: { size: entry.size } });
      notes.push(entry.note);
    }
    expect(notes).toContain('changed-while-reading');
  }, 60000);
});
