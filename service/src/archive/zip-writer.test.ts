import zlib from 'node:zlib';
import { extractZipEntry, readZipEntries } from './zip-reader';
import { memoryReader } from '../../test/support/zip-builder';
import { Writable } from 'node:stream';
import { TimeSlices } from '../util/time-slice';
import { openZip, SlabPool, writeZip, type ZipEntry } from './zip-writer';

/** A stored (method 0) entry whose opening is recorded, and whose reader reports being closed unread. */
function trackedEntry(
  name: string,
  content: string,
  log: { opened: string[]; open: number; maxOpen: number; destroyed: string[] },
  fail = false,
): ZipEntry {
  const bytes = Buffer.from(content);
  return {
    name,
    mtime: new Date('2026-01-02T03:04:05Z'),
    mode: 0o644,
    async open() {
      log.opened.push(name);
      log.open++;
      log.maxOpen = Math.max(log.maxOpen, log.open);
      await new Promise((resolve) => setImmediate(resolve));
      if (fail) {
        log.open--;
        throw new Error(`${name} is missing`);
      }
      const reader = memoryReader(bytes, (readToEnd) => {
        log.open--;
        if (!readToEnd) log.destroyed.push(name);
      });
      return { method: 0, crc32: zlib.crc32(bytes) >>> 0, size: bytes.length, compressedSize: bytes.length, reader };
    },
  };
}

const newLog = () => ({ opened: [] as string[], open: 0, maxOpen: 0, destroyed: [] as string[] });

/**
 * A zip written as the service sends one (openZip, then writeZip), into memory: its bytes and its writes, or the
 * error that broke it off.
 */
async function written(entries: ZipEntry[], openAhead?: number, slices?: TimeSlices): Promise<{ zip: Buffer; writes: number }> {
  const pool = new SlabPool();
  const chunks = await openZip(entries, pool, openAhead, slices);
  const parts: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      parts.push(Buffer.from(chunk));
      done();
    },
  });
  out.on('error', () => undefined);
  await writeZip(out, chunks, pool);
  if (out.errored) throw out.errored;
  return { zip: Buffer.concat(parts), writes: parts.length };
}

describe('the zip writer', () => {
  it('opens entries ahead of the one it writes, at most as many as asked, and writes them in order', async () => {
    const log = newLog();
    const entries = Array.from({ length: 20 }, (_, i) => trackedEntry(`f${i}.txt`, `file ${i}`, log));
    const { zip } = await written(entries, 4);
    const read = readZipEntries(zip, 100);
    expect(read.map((entry) => entry.name)).toEqual(entries.map((entry) => entry.name));
    expect(read.map((entry) => extractZipEntry(zip, entry).toString())).toEqual(entries.map((_, i) => `file ${i}`));
    expect(log.maxOpen).toBeGreaterThan(1);
    expect(log.maxOpen).toBeLessThanOrEqual(4);
    expect(log.open).toBe(0);
  });

  it('ends with the error of an entry that cannot be opened, when it comes to it, and closes the ones opened ahead', async () => {
    const log = newLog();
    const entries = Array.from({ length: 10 }, (_, i) => trackedEntry(`f${i}.txt`, `file ${i}`, log, i === 2));
    await expect(written(entries, 5)).rejects.toThrow('f2.txt is missing');
    // f3..f6 were opened ahead of f2; none is left open.
    expect(log.opened.length).toBeGreaterThan(3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.open).toBe(0);
    expect(log.destroyed).toEqual(log.opened.filter((name) => !['f0.txt', 'f1.txt', 'f2.txt'].includes(name)));
  });

  it('writes entries given as bytes beside streamed ones, and ends with an error when an entry is not the length announced', async () => {
    const log = newLog();
    const text = Buffer.from('small and read already '.repeat(100));
    const deflated = zlib.deflateRawSync(text);
    const inMemory = (name: string, compressedSize = deflated.length): ZipEntry => ({
      name,
      mtime: new Date('2026-01-02T03:04:05Z'),
      mode: 0o600,
      open: async () => ({ method: 8, crc32: zlib.crc32(text) >>> 0, size: text.length, compressedSize, bytes: deflated }),
    });
    const { zip } = await written([inMemory('a.txt'), trackedEntry('b.txt', 'streamed', log), inMemory('c.txt')], 2);
    const read = readZipEntries(zip, 10);
    expect(read.map((entry) => [entry.name, extractZipEntry(zip, entry).toString()])).toEqual([
      ['a.txt', text.toString()],
      ['b.txt', 'streamed'],
      ['c.txt', text.toString()],
    ]);
    await expect(written([inMemory('short.txt', deflated.length + 1)])).rejects.toThrow(
      `zip entry short.txt: ${deflated.length} bytes where ${deflated.length + 1} were announced`,
    );
  });

  it('gathers the small pieces of many small entries into large writes', async () => {
    const entryOf = (name: string, bytes: Buffer, asStream = false): ZipEntry => ({
      name,
      mtime: new Date('2026-01-02T03:04:05Z'),
      mode: 0o644,
      open: async () => ({
        method: 0,
        crc32: zlib.crc32(bytes) >>> 0,
        size: bytes.length,
        compressedSize: bytes.length,
        ...(asStream ? { reader: memoryReader(bytes) } : { bytes }),
      }),
    });
    const big = Buffer.alloc(256 * 1024, 7);
    const entries = [
      ...Array.from({ length: 2000 }, (_, i) => entryOf(`small/${i}.txt`, Buffer.from(`row ${i}\n`))),
      entryOf('big.bin', big, true),
    ];
    const { zip, writes } = await written(entries);
    // Some 150 KB of headers, names and bytes for the small entries, as much again of central directory and the
    // 256 KB file: one or two writes, not two per entry.
    expect(writes).toBeLessThan(3);
    const read = readZipEntries(zip, 5000);
    expect(read).toHaveLength(2001);
    expect(extractZipEntry(zip, read[1234]!).toString()).toBe('row 1234\n');
    expect(extractZipEntry(zip, read[2000]!).equals(big)).toBe(true);
  });

  it('lets the event loop turn between entries once its time slice is over, not only when a buffer is full', async () => {
    const bytes = Buffer.from('a small file\n');
    const entries = Array.from({ length: 500 }, (_, i): ZipEntry => ({
      name: `small/${i}.txt`,
      mtime: new Date('2026-01-02T03:04:05Z'),
      mode: 0o644,
      open: async () => ({ method: 0, crc32: zlib.crc32(bytes) >>> 0, size: bytes.length, compressedSize: bytes.length, bytes }),
    }));
    let turns = 0;
    let done = false;
    const turn = () => {
      turns++;
      if (!done) setImmediate(turn);
    };
    setImmediate(turn);
    // A slice that is over at once: a pause after every entry. The whole zip fits in one buffer, which on its own
    // would be filled without a single turn of the event loop.
    const { zip } = await written(entries, undefined, new TimeSlices(0));
    done = true;
    expect(turns).toBeGreaterThanOrEqual(entries.length);
    expect(readZipEntries(zip, 1000)).toHaveLength(500);
  });

  it('starts a zip only once its first bytes are ready: a failure before them is thrown, one after breaks off the writes', async () => {
    const log = newLog();
    await expect(openZip([trackedEntry('gone.txt', 'x', log, true), trackedEntry('b.txt', 'b', log)], new SlabPool(), 4)).rejects.toThrow(
      'gone.txt is missing',
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.open).toBe(0);

    // A first entry larger than a write goes out before the failing one is reached.
    const started = await openZip(
      [trackedEntry('big.txt', 'y'.repeat(1_200_000), log), trackedEntry('gone.txt', 'x', log, true)],
      new SlabPool(),
      1,
    );
    await expect(
      (async () => {
        for await (const chunk of started) void chunk;
      })(),
    ).rejects.toThrow('gone.txt is missing');

    const { zip } = await written([trackedEntry('a.txt', 'first', log), trackedEntry('b.txt', 'second', log)]);
    expect(readZipEntries(zip, 10).map((entry) => extractZipEntry(zip, entry).toString())).toEqual(['first', 'second']);
  });

  it('closes what a started zip opened ahead when it is ended before it is written', async () => {
    const log = newLog();
    const entries = Array.from({ length: 50 }, (_, i) => trackedEntry(`f${i}.txt`, 'z'.repeat(70_000), log));
    const chunks = await openZip(entries, new SlabPool(), 8);
    expect(log.open).toBeGreaterThan(0);
    await chunks.return!();
    expect(log.open).toBe(0);
  });

  it('streams a large zip through a few buffers when its writer gives each back once written', async () => {
    const pool = new SlabPool();
    const content = (i: number) => Buffer.alloc(1024 * 1024, i);
    const entries: ZipEntry[] = Array.from({ length: 40 }, (_, i) => ({
      name: `big/${i}.bin`,
      mtime: new Date('2026-01-02T03:04:05Z'),
      mode: 0o644,
      open: async () => ({
        method: 0,
        crc32: zlib.crc32(content(i)) >>> 0,
        size: 1024 * 1024,
        compressedSize: 1024 * 1024,
        reader: memoryReader(content(i)),
      }),
    }));
    // A slow client: the bytes are copied out (as a socket hands them to the kernel) a turn later.
    const written: Buffer[] = [];
    const out = new Writable({
      highWaterMark: 512 * 1024,
      write(chunk: Buffer, _encoding, done) {
        written.push(Buffer.from(chunk));
        setImmediate(done);
      },
    });
    await writeZip(out, await openZip(entries, pool), pool);
    const zip = Buffer.concat(written);
    const read = readZipEntries(zip, 100);
    expect(read.map((entry, i) => extractZipEntry(zip, entry).equals(content(i)))).toEqual(entries.map(() => true));
    // 40 MB through buffers of 1 MB: a handful made, each filled again once written.
    expect(pool.made).toBeLessThan(10);
  });

  it('stops a zip and closes its files when its writer goes away, and breaks off the writer when an entry fails', async () => {
    const log = newLog();
    const pool = new SlabPool();
    const entries = Array.from({ length: 200 }, (_, i) => trackedEntry(`f${i}.txt`, 'w'.repeat(20_000), log));
    const out = new Writable({
      write(_chunk, _encoding, done) {
        out.destroy(); // a client that hangs up after the first bytes
        done();
      },
    });
    await writeZip(out, await openZip(entries, pool, 8), pool);
    expect(log.opened.length).toBeLessThan(200);
    expect(log.open).toBe(0);

    const failing = [trackedEntry('big.txt', 'y'.repeat(1_200_000), log), trackedEntry('gone.txt', 'x', log, true)];
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    const broken = new Promise<Error>((resolve) => sink.once('error', resolve));
    await writeZip(sink, await openZip(failing, pool, 1), pool);
    expect((await broken).message).toBe('gone.txt is missing');
    expect(log.open).toBe(0);
  });
});
