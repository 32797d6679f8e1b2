/**
 * A streaming zip writer that takes entries already compressed.
 *
 * Snapshot blobs are stored as raw DEFLATE with their CRC-32 (or as they are, when incompressible), which is
 * exactly what a zip entry holds. Writing a zip is therefore copying bytes: no compression, no buffering of
 * entries. jszip, the usual choice, builds the archive in memory and compresses every entry again; for a
 * whole-course download (hundreds of MB) that costs memory proportional to the archive and CPU for each byte
 * (bench/ measures both), so this module replaces it for archives the service sends.
 *
 * Memory is bounded by the central directory (about 100 bytes per entry), whatever the size of the data.
 * ZIP64 records are written when sizes, offsets or the entry count outgrow the classic format.
 */
import type { Writable } from 'node:stream';
import type { PayloadReader } from '../blobs/blob-store';
import { TimeSlices } from '../util/time-slice';

export type ZipPayload = {
  /** 0 = stored, 8 = deflated. */
  method: 0 | 8;
  crc32: number;
  size: number;
  compressedSize: number;
} &
  /** A large entry, read into the zip's own output buffers. */
  (
    | { reader: PayloadReader }
    /** A small entry's bytes, read already. */
    | { bytes: Buffer }
  );

/** Lets go of a payload not (or not wholly) written: closes its file. */
function discard(payload: ZipPayload): void {
  if ('reader' in payload) void payload.reader.close();
}

export interface ZipEntry {
  /** Path inside the archive, `/`-separated, relative. */
  name: string;
  mtime: Date;
  /** Unix permission bits. */
  mode: number;
  open(): Promise<ZipPayload>;
}

const UINT32_MAX = 0xffffffff;
const UINT16_MAX = 0xffff;
const FLAG_UTF8 = 0x0800;
const VERSION_MADE_BY = (3 << 8) | 45; // Unix, spec 4.5 (ZIP64)

function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.min(Math.max(date.getFullYear(), 1980), 2107);
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

/** Extended timestamp (0x5455): the exact UTC modification time, which DOS times cannot carry. */
function timestampExtra(mtime: Date): Buffer {
  const extra = Buffer.alloc(9);
  extra.writeUInt16LE(0x5455, 0);
  extra.writeUInt16LE(5, 2);
  extra.writeUInt8(1, 4);
  extra.writeUInt32LE(Math.max(0, Math.min(UINT32_MAX, Math.floor(mtime.getTime() / 1000))), 5);
  return extra;
}

function zip64Extra(values: bigint[]): Buffer {
  const extra = Buffer.alloc(4 + 8 * values.length);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(8 * values.length, 2);
  values.forEach((value, i) => extra.writeBigUInt64LE(value, 4 + 8 * i));
  return extra;
}

interface CentralRecord {
  name: Buffer;
  method: number;
  time: number;
  date: number;
  crc32: number;
  size: number;
  compressedSize: number;
  offset: number;
  mode: number;
  mtime: Date;
}

function localHeader(record: CentralRecord): Buffer {
  const needs64 = record.size >= UINT32_MAX || record.compressedSize >= UINT32_MAX;
  const extras = [timestampExtra(record.mtime)];
  if (needs64) extras.push(zip64Extra([BigInt(record.size), BigInt(record.compressedSize)]));
  const extra = Buffer.concat(extras);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(needs64 ? 45 : 20, 4);
  header.writeUInt16LE(FLAG_UTF8, 6);
  header.writeUInt16LE(record.method, 8);
  header.writeUInt16LE(record.time, 10);
  header.writeUInt16LE(record.date, 12);
  header.writeUInt32LE(record.crc32 >>> 0, 14);
  header.writeUInt32LE(needs64 ? UINT32_MAX : record.compressedSize, 18);
  header.writeUInt32LE(needs64 ? UINT32_MAX : record.size, 22);
  header.writeUInt16LE(record.name.length, 26);
  header.writeUInt16LE(extra.length, 28);
  return Buffer.concat([header, record.name, extra]);
}

function centralHeader(record: CentralRecord): Buffer {
  const big: bigint[] = [];
  if (record.size >= UINT32_MAX) big.push(BigInt(record.size));
  if (record.compressedSize >= UINT32_MAX) big.push(BigInt(record.compressedSize));
  if (record.offset >= UINT32_MAX) big.push(BigInt(record.offset));
  const extras = [timestampExtra(record.mtime)];
  if (big.length > 0) extras.push(zip64Extra(big));
  const extra = Buffer.concat(extras);
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(VERSION_MADE_BY, 4);
  header.writeUInt16LE(big.length > 0 ? 45 : 20, 6);
  header.writeUInt16LE(FLAG_UTF8, 8);
  header.writeUInt16LE(record.method, 10);
  header.writeUInt16LE(record.time, 12);
  header.writeUInt16LE(record.date, 14);
  header.writeUInt32LE(record.crc32 >>> 0, 16);
  header.writeUInt32LE(Math.min(record.compressedSize, UINT32_MAX), 20);
  header.writeUInt32LE(Math.min(record.size, UINT32_MAX), 24);
  header.writeUInt16LE(record.name.length, 28);
  header.writeUInt16LE(extra.length, 30);
  header.writeUInt16LE(0, 32); // comment
  header.writeUInt16LE(0, 34); // disk
  header.writeUInt16LE(0, 36); // internal attributes
  header.writeUInt32LE(((0o100000 | (record.mode & 0o7777)) << 16) >>> 0, 38);
  header.writeUInt32LE(Math.min(record.offset, UINT32_MAX), 42);
  return Buffer.concat([header, record.name, extra]);
}

function endRecords(count: number, directoryOffset: number, directorySize: number): Buffer {
  const parts: Buffer[] = [];
  const needs64 = count >= UINT16_MAX || directoryOffset >= UINT32_MAX || directorySize >= UINT32_MAX;
  if (needs64) {
    const zip64End = Buffer.alloc(56);
    zip64End.writeUInt32LE(0x06064b50, 0);
    zip64End.writeBigUInt64LE(44n, 4);
    zip64End.writeUInt16LE(VERSION_MADE_BY, 12);
    zip64End.writeUInt16LE(45, 14);
    zip64End.writeBigUInt64LE(BigInt(count), 24);
    zip64End.writeBigUInt64LE(BigInt(count), 32);
    zip64End.writeBigUInt64LE(BigInt(directorySize), 40);
    zip64End.writeBigUInt64LE(BigInt(directoryOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(directoryOffset + directorySize), 8);
    locator.writeUInt32LE(1, 16);
    parts.push(zip64End, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(count, UINT16_MAX), 8);
  end.writeUInt16LE(Math.min(count, UINT16_MAX), 10);
  end.writeUInt32LE(Math.min(directorySize, UINT32_MAX), 12);
  end.writeUInt32LE(Math.min(directoryOffset, UINT32_MAX), 16);
  parts.push(end);
  return Buffer.concat(parts);
}

/**
 * Entries opened ahead of the one being written. Opening a stored blob takes a few trips to the thread pool (open,
 * header read, close); one after another, a course zip of small notebooks spends more time waiting on those than
 * copying bytes. Opened ahead, they overlap with the writing. Each holds an open file until it is written.
 */
const OPEN_AHEAD = 8;

/**
 * The entries with their payloads, in order, each opened up to `ahead` entries before it is yielded. Ended early
 * (an error, or a reader gone), it closes the payloads it opened and did not hand out.
 */
async function* openedAhead(
  entries: AsyncIterable<ZipEntry> | Iterable<ZipEntry>,
  ahead: number,
): AsyncGenerator<{ entry: ZipEntry; payload: ZipPayload }> {
  const source = Symbol.asyncIterator in entries ? entries[Symbol.asyncIterator]() : entries[Symbol.iterator]();
  const opening: { entry: ZipEntry; payload: Promise<ZipPayload> }[] = [];
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && opening.length < ahead) {
        const next = await source.next();
        if (next.done) exhausted = true;
        else {
          const payload = next.value.open();
          // Awaited in its turn, where a failure ends the zip; until then it must not count as unhandled.
          payload.catch(() => undefined);
          opening.push({ entry: next.value, payload });
        }
      }
      const first = opening.shift();
      if (!first) return;
      yield { entry: first.entry, payload: await first.payload };
    }
  } finally {
    for (const { payload } of opening.splice(0)) payload.then(discard, () => undefined);
    await source.return?.();
  }
}

/**
 * The size of the zip's writes. A zip is written into buffers of this size, small pieces (headers, small entries)
 * copied in and large entries read straight into them: a zip of many small files is then a few large writes, not
 * two per entry, and a writer that gives the buffers back once written (see SlabPool) streams hundreds of MB through
 * a handful of them rather than leaving as much garbage for the collector. 1 MB: fewer turns of the event loop per
 * zip, which under many readers decides how long each zip waits.
 */
const SLAB_BYTES = 1024 * 1024;
/** Written buffers kept for the next writes (of this zip or another). */
const SLABS_KEPT = 8;

/** The zip's output buffers: taken to be filled, given back once written (or never, if nobody says). */
export class SlabPool {
  private readonly free: Buffer[] = [];
  private readonly own = new WeakSet<ArrayBufferLike>();
  /** Buffers made; the others were given back and filled again. */
  made = 0;

  take(): Buffer {
    const slab = this.free.pop();
    if (slab) return slab;
    this.made++;
    const made = Buffer.allocUnsafeSlow(SLAB_BYTES);
    this.own.add(made.buffer);
    return made;
  }

  /** Takes back a chunk of the zip once it has been written; chunks that are not this pool's are left alone. */
  give(chunk: Buffer): void {
    if (this.own.has(chunk.buffer) && this.free.length < SLABS_KEPT) this.free.push(Buffer.from(chunk.buffer, 0, SLAB_BYTES));
  }
}

/** The zip's bytes so far, in the buffer being filled (taken when the first byte comes). */
class Output {
  private slab: Buffer | null = null;
  private used = 0;

  constructor(private readonly pool: SlabPool) {}

  get bytes(): number {
    return this.used;
  }

  /** The bytes written so far, as one chunk. */
  take(): Buffer {
    const chunk = this.slab!.subarray(0, this.used);
    this.slab = null;
    this.used = 0;
    return chunk;
  }

  /** Copies `piece` in, yielding each buffer it fills. */
  *copy(piece: Buffer): Generator<Buffer> {
    for (let from = 0; from < piece.length;) {
      const slab = this.room();
      if (slab === 'full') {
        yield this.take();
        continue;
      }
      const copied = piece.copy(slab, this.used, from, Math.min(piece.length, from + slab.length - this.used));
      this.used += copied;
      from += copied;
    }
  }

  /** Reads `reader` to its end into the output, yielding each buffer it fills; answers the bytes read. */
  async *read(reader: PayloadReader): AsyncGenerator<Buffer, number> {
    let total = 0;
    for (;;) {
      const slab = this.room();
      if (slab === 'full') {
        yield this.take();
        continue;
      }
      const read = await reader.read(slab, this.used, slab.length - this.used);
      if (read === 0) return total;
      this.used += read;
      total += read;
    }
  }

  /** The buffer being filled, or 'full' when it has no room left. */
  private room(): Buffer | 'full' {
    this.slab ??= this.pool.take();
    return this.used < this.slab.length ? this.slab : 'full';
  }
}

/** Small pieces kept in blocks of about this size (the central directory, held until the end). */
const GATHER_BYTES = 64 * 1024;

/** Pieces of output gathered until there are enough of them to keep as one. */
class Gathered {
  private parts: Buffer[] = [];
  bytes = 0;

  add(piece: Buffer): void {
    this.parts.push(piece);
    this.bytes += piece.length;
  }

  /** Everything gathered, as one buffer; empty afterwards. */
  take(): Buffer {
    const all = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.bytes);
    this.parts = [];
    this.bytes = 0;
    return all;
  }
}

async function* zipChunks(
  entries: AsyncIterable<ZipEntry> | Iterable<ZipEntry>,
  openAhead: number,
  pool: SlabPool,
  slices: TimeSlices,
): AsyncGenerator<Buffer> {
  const out = new Output(pool);
  // The central directory, written at the end: its records are encoded as their entries go by and kept in blocks,
  // so that a zip of many entries holds a few buffers, not an object per entry.
  const directory: Buffer[] = [];
  const records = new Gathered();
  let count = 0;
  let offset = 0;
  for await (const { entry, payload } of openedAhead(entries, openAhead)) {
    try {
      const { time, date } = dosDateTime(entry.mtime);
      const record: CentralRecord = {
        name: Buffer.from(entry.name, 'utf8'),
        method: payload.method,
        time,
        date,
        crc32: payload.crc32,
        size: payload.size,
        compressedSize: payload.compressedSize,
        offset,
        mode: entry.mode,
        mtime: entry.mtime,
      };
      const header = localHeader(record);
      yield* out.copy(header);
      offset += header.length;
      let written = 0;
      if ('bytes' in payload) {
        written = payload.bytes.length;
        yield* out.copy(payload.bytes);
      } else {
        written = yield* out.read(payload.reader);
      }
      if (written !== payload.compressedSize) {
        throw new Error(`zip entry ${entry.name}: ${written} bytes where ${payload.compressedSize} were announced`);
      }
      offset += written;
      records.add(centralHeader(record));
      if (records.bytes >= GATHER_BYTES) directory.push(records.take());
      count++;
    } finally {
      // Closes the entry's file, read or not.
      discard(payload);
    }
    // Small entries come from the page cache without a wait: a zip of thousands of them would fill its buffers in
    // one go, for as long as that takes, while every other caller waits.
    await slices.pause();
  }
  if (records.bytes > 0) directory.push(records.take());
  const directorySize = directory.reduce((sum, block) => sum + block.length, 0);
  for (const block of directory.splice(0)) yield* out.copy(block);
  yield* out.copy(endRecords(count, offset, directorySize));
  if (out.bytes > 0) yield out.take();
}

/**
 * A zip's chunks, whose first is ready: an entry that cannot be read before it (missing or damaged among the first
 * files) fails here, while the request can still be answered with an error, instead of breaking off an answer that
 * has begun; a failure later ends the chunks with its error. Each chunk is one of `pool`'s buffers, which the
 * writer may give back once written. `return()` closes the files opened ahead.
 */
export async function openZip(
  entries: AsyncIterable<ZipEntry> | Iterable<ZipEntry>,
  pool: SlabPool = new SlabPool(),
  openAhead = OPEN_AHEAD,
  slices = new TimeSlices(),
): Promise<AsyncIterableIterator<Buffer>> {
  const chunks = zipChunks(entries, Math.max(1, openAhead), pool, slices);
  const first = await chunks.next();
  let ready: Buffer | undefined = first.done ? undefined : first.value;
  // An iterator of its own, not an async generator: a generator ended before its first read never runs its
  // `finally`, and the files opened ahead would stay open.
  const rest: AsyncIterableIterator<Buffer> = {
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      if (ready === undefined) return chunks.next() as Promise<IteratorResult<Buffer>>;
      const value = ready;
      ready = undefined;
      return Promise.resolve({ done: false, value });
    },
    // A reader gone before the end: the zip closes the files it opened ahead.
    async return() {
      ready = undefined;
      await chunks.return(undefined);
      return { done: true, value: undefined };
    },
  };
  return rest;
}

/**
 * Chunks a zip hands to `out` before it waits for the oldest to be taken: the next entries are read while the
 * socket sends these, as a piped stream reads ahead.
 */
const WRITE_AHEAD = 2;

/**
 * Writes a zip's chunks (see openZip) to `out` as it takes them, giving each back to `pool` once written. A zip that
 * fails after its first bytes destroys `out` (an HTTP client sees an incomplete download, never a whole-looking
 * one); `out` closed early stops the zip and closes its files. Resolves once done, whichever way; never rejects.
 */
export async function writeZip(out: Writable, chunks: AsyncIterableIterator<Buffer>, pool: SlabPool): Promise<void> {
  const gone = new Promise<void>((resolve) => out.once('close', resolve));
  const written: Promise<void>[] = [];
  try {
    for await (const chunk of chunks) {
      if (out.destroyed) break;
      written.push(
        new Promise<void>((resolve) =>
          out.write(chunk, () => {
            pool.give(chunk);
            resolve();
          }),
        ),
      );
      if (written.length >= WRITE_AHEAD) await Promise.race([written.shift(), gone]);
    }
    if (!out.destroyed) out.end();
  } catch (error) {
    out.destroy(error as Error);
  }
}
