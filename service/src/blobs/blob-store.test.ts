import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buffer, text } from 'node:stream/consumers';
import zlib from 'node:zlib';
import { Readable } from 'node:stream';
import {
  BlobDamagedError,
  type BlobInfo,
  BlobNotFoundError,
  BlobStore,
  decodeHeader,
  encodeHeader,
  encodeInMemory,
  HEADER_BYTES,
  inflateWithin,
  SourceChangedError,
  unsynced,
} from './blob-store';

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const notebookLike = (bytes: number) =>
  Buffer.from(JSON.stringify({ cells: Array.from({ length: bytes / 40 }, (_, i) => `print(${i})  # a cell`) }).slice(0, bytes));

/** A stored payload read whole through its reader, in reads of at most 64 KB. */
async function readStored(blobs: BlobStore, sha256: string): Promise<{ info: BlobInfo; payload: Buffer }> {
  const { info, reader } = await blobs.openStoredReader(sha256);
  const parts: Buffer[] = [];
  try {
    for (;;) {
      const part = Buffer.alloc(64 * 1024);
      const read = await reader.read(part, 0, part.length);
      if (read === 0) break;
      parts.push(part.subarray(0, read));
    }
  } finally {
    await reader.close();
  }
  return { info, payload: Buffer.concat(parts) };
}

let root: string;
let blobs: BlobStore;

beforeEach(() => {
  root = path.join(mkdtempSync(path.join(os.tmpdir(), 'coursework-blobs-')), 'blobs');
  blobs = new BlobStore(root, { durable: false });
});

describe('replicas sharing the data folder', () => {
  it('store the same bytes at the same moment harmlessly: one whole blob, no temporary file left', async () => {
    const other = new BlobStore(root, { durable: true });
    const bytes = randomBytes(3 * 1024 * 1024);
    const writes = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? blobs : other).storeBuffer(bytes));
    for (const result of await Promise.all(writes)) expect(result).toEqual({ sha256: sha(bytes), size: bytes.length });
    expect(await buffer((await other.openContent(sha(bytes))).stream)).toEqual(bytes);
    expect(readdirSync(path.dirname(blobs.pathOf(sha(bytes))))).toEqual([sha(bytes)]);
  });
});

describe('the stored form of in-memory bytes', () => {
  it('deflates text once and keeps random bytes as they are', () => {
    const text = notebookLike(50_000);
    const deflated = encodeInMemory(text, 1);
    expect(deflated.encoding).toBe('deflate');
    expect(zlib.inflateRawSync(deflated.payload).equals(text)).toBe(true);

    const noise = randomBytes(50_000);
    expect(encodeInMemory(noise, 1)).toEqual({ encoding: 'identity', payload: noise });
    expect(encodeInMemory(Buffer.from('tiny'), 1).encoding).toBe('identity');
  });

  it('judges large buffers on a sample: text after random bytes stays as it is', () => {
    const mixed = Buffer.concat([randomBytes(200_000), notebookLike(200_000)]);
    expect(encodeInMemory(mixed, 1).encoding).toBe('identity');
    expect(encodeInMemory(notebookLike(400_000), 1).encoding).toBe('deflate');
  });
});

describe('blob store', () => {
  it('keeps each blob at <root>/<first byte>/<sha256> and gives back the bytes it was given', async () => {
    const bytes = notebookLike(30_000);
    const id = sha(bytes);
    const dirty = unsynced();
    expect(blobs.putBufferSync(id, bytes, dirty)).toEqual({ added: true });
    expect(blobs.putBufferSync(id, bytes, dirty)).toEqual({ added: false });
    expect(blobs.pathOf(id)).toBe(path.join(root, id.slice(0, 2), id));
    expect(existsSync(blobs.pathOf(id))).toBe(true);
    const { info, stream } = await blobs.openContent(id);
    expect(info).toMatchObject({ size: bytes.length, encoding: 'deflate', crc32: zlib.crc32(bytes) >>> 0 });
    expect(await text(stream)).toBe(bytes.toString());
    const ranged = await blobs.openContent(id, { start: 10, end: 19 });
    expect(await text(ranged.stream)).toBe(bytes.subarray(10, 20).toString());
  });

  it('gives the stored payload of small, large, empty and truncated blobs', async () => {
    const text = notebookLike(30_000);
    const noise = randomBytes(200_000);
    const empty = Buffer.alloc(0);
    const dirty = unsynced();
    for (const bytes of [text, noise, empty]) blobs.putBufferSync(sha(bytes), bytes, dirty);
    const stored = async (bytes: Buffer) => {
      const { info, payload } = await readStored(blobs, sha(bytes));
      expect(payload.length).toBe(info.storedSize);
      return info.encoding === 'deflate' ? zlib.inflateRawSync(payload) : payload;
    };
    expect((await stored(text)).equals(text)).toBe(true);
    expect((await stored(noise)).equals(noise)).toBe(true);
    expect((await stored(empty)).length).toBe(0);
    const [small, large] = await Promise.all([readStored(blobs, sha(text)), readStored(blobs, sha(noise))]);
    expect(zlib.inflateRawSync(small.payload).equals(text)).toBe(true);
    expect(large.payload.equals(noise)).toBe(true);
    await expect(blobs.openStoredReader('ab'.repeat(32))).rejects.toThrow(BlobNotFoundError);
  });
});

describe('a blob is never trusted unless it is whole', () => {
  const quarantined = () => (existsSync(path.join(root, 'quarantine')) ? readdirSync(path.join(root, 'quarantine')) : []);

  it('refuses to open a blob cut short, and moves it into the quarantine', async () => {
    const noise = randomBytes(200_000);
    blobs.putBufferSync(sha(noise), noise, unsynced());
    truncateSync(blobs.pathOf(sha(noise)), 100_000);
    await expect(blobs.openStoredReader(sha(noise))).rejects.toThrow(BlobDamagedError);
    expect(existsSync(blobs.pathOf(sha(noise)))).toBe(false);
    expect(quarantined()).toEqual([expect.stringMatching(new RegExp(`^${sha(noise)}\\.\\d+$`))]);
    // Gone from the store: the next read says so, it does not serve the quarantined bytes.
    await expect(blobs.openContent(sha(noise))).rejects.toThrow(BlobNotFoundError);
  });

  it('reads whole blobs synchronously only when they are what their names say', () => {
    const text = notebookLike(60_000);
    const noise = randomBytes(5_000);
    for (const bytes of [text, noise]) blobs.putBufferSync(sha(bytes), bytes, unsynced());
    expect(blobs.readVerifiedSync(sha(text)).equals(text)).toBe(true);
    expect(blobs.readVerifiedSync(sha(noise)).equals(noise)).toBe(true);
    expect(() => blobs.readVerifiedSync('0'.repeat(64))).toThrow(BlobNotFoundError);
    // The same length, one byte changed: only the hash tells.
    const file = blobs.pathOf(sha(noise));
    const stored = readFileSync(file);
    stored[stored.length - 1] ^= 0xff;
    writeFileSync(file, stored);
    expect(() => blobs.readVerifiedSync(sha(noise))).toThrow(BlobDamagedError);
    truncateSync(blobs.pathOf(sha(text)), 1000);
    expect(() => blobs.readVerifiedSync(sha(text))).toThrow(BlobDamagedError);
    expect(quarantined()).toHaveLength(2);
    expect(() => blobs.readVerifiedSync(sha(text))).toThrow(BlobNotFoundError);
  });

  it('inflates a payload no further than the size given', () => {
    const text = notebookLike(10_000);
    const payload = zlib.deflateRawSync(text);
    expect(inflateWithin(payload, text.length).equals(text)).toBe(true);
    expect(() => inflateWithin(payload, text.length - 1)).toThrow(/larger than/);
  });

  it('refuses a payload that inflates past the size its header gives', () => {
    const text = notebookLike(60_000);
    blobs.putBufferSync(sha(text), text, unsynced());
    const file = blobs.pathOf(sha(text));
    const header = decodeHeader(sha(text), readFileSync(file).subarray(0, HEADER_BYTES));
    // A payload of 50 MB of zeros, deflated to some 50 KB, under the header of the 60 KB notebook.
    const bomb = zlib.deflateRawSync(Buffer.alloc(50 * 1024 * 1024), { level: 9 });
    writeFileSync(file, Buffer.concat([encodeHeader({ ...header, storedSize: bomb.length }), bomb]));
    expect(() => blobs.readVerifiedSync(sha(text))).toThrow(BlobDamagedError);
    expect(quarantined()).toHaveLength(1);
  });

  it('reads a small blob’s stored bytes synchronously, as a stream of them would be, checking their length', async () => {
    const text = notebookLike(60_000);
    const noise = randomBytes(5_000);
    for (const bytes of [text, noise]) blobs.putBufferSync(sha(bytes), bytes, unsynced());
    const small = blobs.readStoredSync(sha(text), 64 * 1024)!;
    expect(small.info).toMatchObject({ encoding: 'deflate', size: text.length });
    expect(small.stored).toEqual((await readStored(blobs, sha(text))).payload);
    expect(zlib.inflateRawSync(small.stored).equals(text)).toBe(true);
    // Larger than asked: nothing read, for the caller to stream.
    expect(blobs.readStoredSync(sha(noise), 4_999)).toBeNull();
    expect(blobs.readStoredSync(sha(noise), 5_000)!.stored.equals(noise)).toBe(true);
    expect(() => blobs.readStoredSync('0'.repeat(64), 64 * 1024)).toThrow(BlobNotFoundError);
    truncateSync(blobs.pathOf(sha(noise)), HEADER_BYTES + 100);
    expect(() => blobs.readStoredSync(sha(noise), 64 * 1024)).toThrow(BlobDamagedError);
    expect(quarantined()).toHaveLength(1);
  });

  it('makes a read fail when the blob is cut while it is being read, never end as if complete', async () => {
    const noise = randomBytes(3_000_000);
    blobs.putBufferSync(sha(noise), noise, unsynced());
    const { reader } = await blobs.openStoredReader(sha(noise));
    truncateSync(blobs.pathOf(sha(noise)), 1_000_000);
    const into = Buffer.alloc(3_000_000);
    let read = 0;
    const readToEnd = async () => {
      for (let n; (n = await reader.read(into, read, into.length - read)) > 0;) read += n;
    };
    await expect(readToEnd()).rejects.toThrow(BlobDamagedError);
    await reader.close();
    const other = randomBytes(3_000_000);
    blobs.putBufferSync(sha(other), other, unsynced());
    const ranged = await blobs.openContent(sha(other), { start: 10, end: 2_999_000 });
    truncateSync(blobs.pathOf(sha(other)), 10_000);
    await expect(buffer(ranged.stream)).rejects.toThrow(/payload ended/);
  });

  it('stores a truncated blob again when the same bytes come back, instead of reusing it', () => {
    const text = notebookLike(60_000);
    const id = sha(text);
    blobs.putBufferSync(id, text, unsynced());
    truncateSync(blobs.pathOf(id), 500);
    // Another store (a worker, a restarted service), which has no memory of writing it.
    const again = new BlobStore(root, { durable: false });
    expect(again.putBufferSync(id, text, unsynced())).toEqual({ added: true });
    expect(statSync(again.pathOf(id)).size).toBeGreaterThan(500);
    expect(quarantined()).toHaveLength(1);
  });

  it('checks lengths, headers and hashes, and reads nothing it was not asked to', async () => {
    const bytes = [notebookLike(20_000), randomBytes(20_000), randomBytes(20_000), randomBytes(20_000)];
    for (const b of bytes) blobs.putBufferSync(sha(b), b, unsynced());
    const [whole, short, flipped, headless] = bytes.map(sha) as [string, string, string, string];
    truncateSync(blobs.pathOf(short), 1_000);
    // One byte of the payload changed, the length kept: only the hash finds it.
    const file = blobs.pathOf(flipped);
    const content = readFileSync(file);
    content[HEADER_BYTES + 5] ^= 0xff;
    writeFileSync(file, content);
    writeFileSync(blobs.pathOf(headless), 'not a blob');
    expect(await blobs.check(whole, { hash: true })).toMatchObject({ ok: true, info: { size: bytes[0]!.length } });
    expect(await blobs.check(short)).toEqual({ sha256: short, ok: false, problem: 'short' });
    expect(await blobs.check(flipped)).toMatchObject({ ok: true });
    expect(await blobs.check(flipped, { hash: true })).toEqual({ sha256: flipped, ok: false, problem: 'wrong-hash' });
    expect(await blobs.check(headless)).toEqual({ sha256: headless, ok: false, problem: 'no-header' });
    expect(await blobs.check('cd'.repeat(32))).toEqual({ sha256: 'cd'.repeat(32), ok: false, problem: 'missing' });
    // check only reads: quarantining is the caller's call.
    expect(quarantined()).toEqual([]);
  });

  it('keeps a source that changed while it was stored under the hash of what was stored, when asked', async () => {
    const first = randomBytes(100_000);
    const second = randomBytes(120_000);
    const dirty = unsynced();
    await expect(blobs.put(sha(first), first.length, first, () => Readable.from([second]), dirty)).rejects.toThrow(SourceChangedError);
    const kept = await blobs.put(sha(first), first.length, first, () => Readable.from([second]), dirty, { keepChanged: true });
    expect(kept).toMatchObject({ added: true, changed: true, info: { sha256: sha(second), size: second.length } });
    expect((await buffer((await blobs.openContent(sha(second))).stream)).equals(second)).toBe(true);
    expect(existsSync(blobs.pathOf(sha(first)))).toBe(false);
    // No temporary file left behind by the refused attempt.
    expect(readdirSync(path.dirname(blobs.pathOf(sha(first)))).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });

  it('reports the free space of the data disk and whether it is below the floor', () => {
    const free = blobs.freeSpace();
    expect(free.bytes).toBeGreaterThan(0);
    expect(free.fraction).toBeGreaterThan(0);
    expect(blobs.lowSpace()).toBeNull();
    const strict = new BlobStore(root, { durable: false, minFreeSpace: { bytes: free.bytes * 1000, fraction: 0 } });
    expect(strict.lowSpace()).toMatch(/below the minimum of .* \(COURSEWORK_MIN_FREE_SPACE\)/);
    expect(new BlobStore(root, { durable: false, minFreeSpace: { bytes: 0, fraction: 1 } }).lowSpace()).toMatch(/100% of the disk/);
  });

  it('touches a blob it finds stored, unless it touched or wrote it minutes ago', () => {
    let clock = Date.now();
    const store = new BlobStore(root, { durable: false, now: () => clock });
    const bytes = notebookLike(2_000);
    const id = sha(bytes);
    expect(store.putBufferSync(id, bytes, unsynced())).toEqual({ added: true });
    const old = new Date('2026-01-01T00:00:00Z');
    utimesSync(store.pathOf(id), old, old);
    clock += 60_000;
    expect(store.putBufferSync(id, bytes, unsynced())).toEqual({ added: false });
    expect(statSync(store.pathOf(id)).mtime).toEqual(old);
    clock += 6 * 60_000;
    expect(store.putBufferSync(id, bytes, unsynced())).toEqual({ added: false });
    expect(statSync(store.pathOf(id)).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
    // Another store (a worker, a restarted service) has no memory of the first one's touches.
    utimesSync(store.pathOf(id), old, old);
    expect(new BlobStore(root, { durable: false }).putBufferSync(id, bytes, unsynced())).toEqual({ added: false });
    expect(statSync(store.pathOf(id)).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
  });
  it('remembers at most the configured number of blobs, forgetting the oldest first', () => {
    const store = new BlobStore(root, { durable: false, recentBlobs: 2 });
    const [a, b, c] = ['a', 'b', 'c'].map((seed) => Buffer.concat([Buffer.from(seed), notebookLike(2_000)]));
    for (const bytes of [a, b, c]) store.putBufferSync(sha(bytes), bytes, unsynced());
    const old = new Date('2026-01-01T00:00:00Z');
    for (const bytes of [a, b, c]) utimesSync(store.pathOf(sha(bytes)), old, old);
    // `b` and `c` are still remembered; `a` was forgotten when `c` came: it is looked up and touched again.
    for (const bytes of [b, c, a]) expect(store.putBufferSync(sha(bytes), bytes, unsynced())).toEqual({ added: false });
    expect(statSync(store.pathOf(sha(a))).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
    expect(statSync(store.pathOf(sha(b))).mtime).toEqual(old);
    expect(statSync(store.pathOf(sha(c))).mtime).toEqual(old);
  });
});
