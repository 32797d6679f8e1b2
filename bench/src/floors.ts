/**
 * The floors under a snapshot, measured on the same homes in the same run: what no snapshot of them can do faster
 * on this machine, whatever it stores.
 *
 *   hash floor: every byte of every file read from the page cache and hashed with SHA-256 (what a first snapshot
 *               must do at least, before it compresses or writes anything)
 *   walk floor: every folder read and every entry's metadata asked for (readdir and lstat, as the service's walk
 *               does; what a re-snapshot of unchanged homes must do at least, before it records anything)
 *
 * Both run on as many threads as the service scans with, each thread taking every n-th home, with the synchronous
 * calls the service's scan workers use.
 */
import { Worker } from 'node:worker_threads';

/** Runs in each thread: `workerData` names the homes and the work; posts the files it saw and its time. */
const FLOOR_THREAD = `
const { createHash } = require('node:crypto');
const { closeSync, lstatSync, openSync, readdirSync, readSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const { homes, kind } = workerData;
const hash = kind === 'hash';
const buffer = Buffer.allocUnsafe(1024 * 1024);
let files = 0;
const hashFile = (file) => {
  const digest = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    for (let read; (read = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) digest.update(buffer.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  digest.digest();
};
const visit = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = dir + '/' + entry.name;
    lstatSync(full, { bigint: true });
    if (entry.isDirectory()) visit(full);
    else if (entry.isFile()) {
      files++;
      if (hash) hashFile(full);
    }
  }
};
const started = process.hrtime.bigint();
for (const home of homes) visit(home);
parentPort.postMessage({ files, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
`;

export interface FloorResult {
  seconds: number;
  files: number;
}

/**
 * Walks `homes` (and for the hash floor, hashes every file) on `threads` threads; the time of the slowest thread,
 * from its first call (a thread's start-up is not the floor's).
 */
export async function floor(kind: 'hash' | 'walk', homes: readonly string[], threads: number): Promise<FloorResult> {
  const shares = Array.from({ length: threads }, (_, t) => homes.filter((_, i) => i % threads === t));
  const results = await Promise.all(
    shares.map(
      (share) =>
        new Promise<FloorResult>((resolve, reject) => {
          const worker = new Worker(FLOOR_THREAD, { eval: true, workerData: { homes: share, kind } });
          worker.once('message', resolve);
          worker.once('error', reject);
          worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`floor thread exited with ${code}`))));
        }),
    ),
  );
  return {
    seconds: Math.max(...results.map((result) => result.seconds)),
    files: results.reduce((sum, result) => sum + result.files, 0),
  };
}
