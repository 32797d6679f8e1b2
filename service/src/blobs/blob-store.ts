/**
 * Content-addressed blob store: the bytes of every snapshotted or released file, stored once per SHA-256.
 *
 * Layout: `<root>/<aa>/<sha256>`, 256 folders named by the hash's first byte, as git keeps loose objects: one level
 * only, since a second would give nearly every new blob of a first snapshot a folder of its own to create and
 * fsync, and even a million blobs make only some 4000 entries per folder, which ext4 and XFS index. Each blob file starts with a 32-byte header (magic, encoding, CRC-32,
 * size, stored size) followed by the payload, which is either the file as it is or its raw DEFLATE stream.
 * Compressible files are kept deflated with their CRC-32 so that a zip entry (method 8) or a gzip HTTP answer
 * can be written from the stored bytes without compressing again; incompressible ones are kept as they are.
 *
 * Writes go to a temporary file whose length is checked against what was written (a full disk stops a write
 * part-way) and then renamed into place; the caller fsyncs the blob and its folder before it records anything that
 * refers to it. A blob is never trusted unless it is whole: before it is reused or served, its length is checked
 * against its header, and one found short or malformed is moved aside into `<root>/quarantine/` (never served,
 * never reused) so that the next write of the same bytes stores it again.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  close as closeCallback,
  closeSync,
  createWriteStream,
  fstatSync,
  fsync,
  futimesSync,
  mkdirSync,
  open as openCallback,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statfsSync,
  statSync,
  writeSync,
} from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { CoalescedRuns } from '../util/coalesced-runs';
import { mapPool } from '../util/pool';
import { type FreeSpaceFloor, InsufficientStorageError, lowSpace } from '../util/storage';

const fsyncFd = promisify(fsync);
const openFd = promisify(openCallback);
const closeFd = promisify(closeCallback);

/**
 * Blob files written and the folders that gained them, not yet durable: whoever records something that refers to them
 * makes them durable first (BlobStore.syncAll). Plain sets, so that a scan worker can hand them over.
 */
export interface Unsynced {
  files: Set<string>;
  folders: Set<string>;
}

export function unsynced(): Unsynced {
  return { files: new Set(), folders: new Set() };
}

function addUnsynced(dirty: Unsynced, file: string): void {
  dirty.files.add(file);
  dirty.folders.add(path.dirname(file));
}

export type BlobEncoding = 'identity' | 'deflate';

export interface BlobInfo {
  sha256: string;
  /** Size of the original bytes. */
  size: number;
  /** Size of the payload on disk (after the header). */
  storedSize: number;
  encoding: BlobEncoding;
  crc32: number;
}

export const HEADER_BYTES = 32;
const MAGIC = Buffer.from('CWB1');
const SHA256 = /^[0-9a-f]{64}$/;
const FAN_OUT = /^[0-9a-f]{2}$/;
/** The folder (at the store's root, beside the fan-out folders) damaged blobs are moved into. */
const QUARANTINE = 'quarantine';
/** Compress when a sample shrinks below this share of its size. */
const WORTH_DEFLATING = 0.9;
const SAMPLE_BYTES = 64 * 1024;
/**
 * How long a touch protects a blob from being touched again: a tenth of blob collection's grace period (an hour,
 * see snapshots/housekeeping), which leaves any scan far more time than it needs to record what it found.
 */
const RETOUCH_MS = 6 * 60 * 1000;
/** Blobs remembered as touched, unless configured (some 130 bytes each, in every scanning thread). */
export const DEFAULT_RECENT_BLOBS = 10_000;
/** Reads of streamed blobs: large chunks keep per-chunk overhead low when a large file is downloaded. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** Reads a stored payload in order; see BlobStore.openStoredReader. */
export interface PayloadReader {
  /** Reads up to `length` bytes into `into` at `offset`; 0 at the end of the payload. */
  read(into: Buffer, offset: number, length: number): Promise<number>;
  close(): Promise<void>;
}

export class BlobNotFoundError extends Error {
  override name = 'BlobNotFoundError';
}

/** A blob whose file is not what its header promises (cut short by a full disk or a crash): it was quarantined. */
export class BlobDamagedError extends Error {
  override name = 'BlobDamagedError';
  constructor(
    readonly sha256: string,
    readonly problem: string,
  ) {
    super(`blob ${sha256} is damaged (${problem}); it was moved aside`);
  }
}

/** A blob opened for one read (see BlobStore.open). */
export interface OpenedBlob {
  info: BlobInfo;
  /** The payload as stored (raw DEFLATE or plain). */
  stored(): Readable;
  /** The original bytes, or a byte range of them (inclusive end, as in HTTP). */
  content(range?: { start: number; end: number }): Readable;
  /** Closes the file when neither stream is wanted after all. */
  close(): Promise<void>;
}

/** What can be wrong with a blob. */
export type BlobProblem = 'missing' | 'no-header' | 'short' | 'long' | 'wrong-hash' | 'unreadable';

/** What a check of one blob found. */
export type BlobCheck = { sha256: string; ok: true; info: BlobInfo } | { sha256: string; ok: false; problem: BlobProblem };

/** Whether a blob file of `size` bytes is whole: a header, and the payload length it promises. */
function judge(size: number, header: BlobInfo | null): { info: BlobInfo } | { problem: 'no-header' | 'short' | 'long' } {
  if (!header) return { problem: 'no-header' };
  const expected = HEADER_BYTES + header.storedSize;
  if (size === expected) return { info: header };
  return { problem: size < expected ? 'short' : 'long' };
}

/** The source's bytes were not the ones announced: the file changed between hashing and storing. */
export class SourceChangedError extends Error {
  override name = 'SourceChangedError';
}

export function encodeHeader(info: Omit<BlobInfo, 'sha256'>): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt8(info.encoding === 'deflate' ? 1 : 0, 4);
  header.writeUInt32LE(info.crc32 >>> 0, 8);
  header.writeBigUInt64LE(BigInt(info.size), 12);
  header.writeBigUInt64LE(BigInt(info.storedSize), 20);
  return header;
}

export function decodeHeader(sha256: string, header: Buffer): BlobInfo {
  if (header.length < HEADER_BYTES || !header.subarray(0, 4).equals(MAGIC)) {
    throw new Error(`blob ${sha256} has no valid header`);
  }
  return {
    sha256,
    encoding: header.readUInt8(4) === 1 ? 'deflate' : 'identity',
    crc32: header.readUInt32LE(8),
    size: Number(header.readBigUInt64LE(12)),
    storedSize: Number(header.readBigUInt64LE(20)),
  };
}

/** Whether deflating is worth it, judged on a leading sample (random data and media are not). */
function worthDeflating(sample: Buffer): boolean {
  const judged = sample.subarray(0, SAMPLE_BYTES);
  if (judged.length < 64) return false;
  const compressed = zlib.deflateRawSync(judged, { level: 1 });
  return compressed.length < judged.length * WORTH_DEFLATING;
}

/**
 * The stored form of bytes held in memory. A file up to twice the sample's size is deflated whole and kept so
 * if that saved enough: judging it on a sample first would deflate most notebooks twice.
 */
export function encodeInMemory(bytes: Buffer, level: number): { encoding: BlobEncoding; payload: Buffer } {
  if (bytes.length < 64) return { encoding: 'identity', payload: bytes };
  if (bytes.length <= 2 * SAMPLE_BYTES) {
    const deflated = zlib.deflateRawSync(bytes, { level });
    return deflated.length < bytes.length * WORTH_DEFLATING
      ? { encoding: 'deflate', payload: deflated }
      : { encoding: 'identity', payload: bytes };
  }
  return worthDeflating(bytes)
    ? { encoding: 'deflate', payload: zlib.deflateRawSync(bytes, { level }) }
    : { encoding: 'identity', payload: bytes };
}

export interface BlobStoreOptions {
  /** zlib level for stored payloads. */
  level?: number;
  /** fsync files and directories (off only in tests that measure nothing about crashes). */
  durable?: boolean;
  /** The clock for remembering touches (tests move it on). */
  now?: () => number;
  /** Free space the data disk keeps; see lowSpace. */
  minFreeSpace?: FreeSpaceFloor;
  /** Told of each blob moved into the quarantine. */
  onQuarantine?: (sha256: string) => void;
  /** Blobs remembered as just written or touched (see isStored); the oldest is forgotten first. */
  recentBlobs?: number;
}

export class BlobStore {
  readonly level: number;
  readonly durable: boolean;
  private readonly createdDirs = new Set<string>();
  /** Descriptors of the blob folders, kept open for the store's life (256 at most); see folderSyncs. */
  private readonly folderFds = new Map<string, number>();
  /**
   * fsyncs of blob folders (new blobs' entries in them), through the descriptors kept open: one call off the event
   * loop, where opening the folder each time made it three, and the open and close cost the event loop more than
   * the fsync. Callers that come while one is under way share the next: a whole-course snapshot adds a hundred
   * blobs to each folder, a few homes at a time.
   */
  private readonly folderSyncs = new CoalescedRuns((folder: string) => fsyncFd(this.folderFd(folder)));
  /** When this store last touched (or wrote) each blob; see isStored. */
  private readonly touchedAt = new Map<string, number>();
  private readonly now: () => number;
  private readonly minFreeSpace: FreeSpaceFloor;
  private readonly onQuarantine: (sha256: string) => void;
  /** Blobs remembered as just written or touched (see isStored). */
  readonly recentBlobs: number;

  constructor(
    readonly root: string,
    options: BlobStoreOptions = {},
  ) {
    // Level 1: on notebooks, much faster than the default 6 for a slightly larger store; zips then carry what
    // `zip -1` would.
    this.level = options.level ?? 1;
    this.durable = options.durable ?? true;
    this.now = options.now ?? Date.now;
    this.minFreeSpace = options.minFreeSpace ?? { bytes: 0, fraction: 0 };
    this.recentBlobs = options.recentBlobs ?? DEFAULT_RECENT_BLOBS;
    this.onQuarantine = options.onQuarantine ?? (() => undefined);
  }

  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new BlobNotFoundError(`not a blob id: ${sha256.slice(0, 80)}`);
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  /**
   * Every file in the blob folders (blobs, and temporary files of writes a crash interrupted), with its name: what
   * blob collection looks through, without knowing the layout.
   */
  async *files(): AsyncGenerator<{ name: string; path: string }> {
    const fanOut = await readdir(this.root, { withFileTypes: true }).catch(() => []);
    for (const folder of fanOut) {
      if (!folder.isDirectory() || !FAN_OUT.test(folder.name)) continue;
      const dir = path.join(this.root, folder.name);
      const names = await readdir(dir).catch(() => []);
      for (const name of names) yield { name, path: path.join(dir, name) };
    }
  }

  async info(sha256: string): Promise<BlobInfo> {
    const handle = await this.openBlob(sha256);
    try {
      return await readHeader(handle, sha256);
    } finally {
      await handle.close();
    }
  }

  /**
   * Stores bytes already hashed by the caller (who read them from a home), unless the blob exists.
   * `source` yields the same bytes again (checked against the hash); `sample` is their beginning, to choose the
   * encoding. As with putBufferSync, a new blob file and its folder are added to `dirty` for the caller to sync.
   *
   * When the source's bytes are not the announced ones (the file changed between the caller's read and this one),
   * SourceChangedError is thrown, unless `keepChanged` is set: then this second read, complete and hashed as it was
   * written, is kept under its own hash and returned with `changed: true`.
   */
  async put(
    sha256: string,
    size: number,
    sample: Buffer,
    source: () => Readable,
    dirty: Unsynced,
    options: { keepChanged?: boolean } = {},
  ): Promise<{ info: BlobInfo; added: boolean; changed: boolean }> {
    const target = this.pathOf(sha256);
    if (this.isStored(sha256, target)) return { info: await this.info(sha256), added: false, changed: false };
    const dir = path.dirname(target);
    await this.ensureDir(dir);
    const temp = path.join(dir, `.tmp-${sha256.slice(0, 16)}-${randomBytes(6).toString('hex')}`);
    try {
      const encoding: BlobEncoding = worthDeflating(sample) ? 'deflate' : 'identity';
      await writeFile(temp, Buffer.alloc(HEADER_BYTES), { flag: 'wx', mode: 0o600 });
      const counted = { bytes: 0, crc: 0, stored: 0 };
      const hash = createHash('sha256');
      const measure = new Transform({
        transform(chunk: Buffer, _enc, done) {
          counted.bytes += chunk.length;
          counted.crc = zlib.crc32(chunk, counted.crc);
          hash.update(chunk);
          done(null, chunk);
        },
      });
      const count = new Transform({
        transform(chunk: Buffer, _enc, done) {
          counted.stored += chunk.length;
          done(null, chunk);
        },
      });
      const sink = createWriteStream(temp, { flags: 'r+', start: HEADER_BYTES });
      if (encoding === 'deflate') {
        await pipeline(source(), measure, zlib.createDeflateRaw({ level: this.level }), count, sink);
      } else {
        await pipeline(source(), measure, count, sink);
      }
      const actual = hash.digest('hex');
      const changed = counted.bytes !== size || actual !== sha256;
      if (changed && !options.keepChanged) throw new SourceChangedError('the bytes changed while they were being stored');
      const info: BlobInfo = { sha256: actual, size: counted.bytes, storedSize: counted.stored, encoding, crc32: counted.crc >>> 0 };
      const handle = await open(temp, 'r+');
      try {
        await handle.write(encodeHeader(info), 0, HEADER_BYTES, 0);
      } finally {
        await handle.close();
      }
      // The stream reports a full disk as an error, but the length on disk is what a later read will get.
      const written = (await stat(temp)).size;
      if (written !== HEADER_BYTES + info.storedSize) throw shortWrite(written, HEADER_BYTES + info.storedSize);
      const finalTarget = changed ? this.pathOf(actual) : target;
      if (changed && this.isStored(actual, finalTarget)) {
        await unlink(temp);
        return { info: await this.info(actual), added: false, changed };
      }
      await this.ensureDir(path.dirname(finalTarget));
      await rename(temp, finalTarget);
      this.remember(actual, this.now());
      if (this.durable) addUnsynced(dirty, finalTarget);
      return { info, added: true, changed };
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  /**
   * The same for small buffers, with synchronous calls: for a file of a few KB, the thread-pool round trips of
   * the asynchronous path (a dozen per blob) cost far more than the work, and a whole-course snapshot is mostly
   * such files. Callers yield to the event loop between files. New blob files and their directories are added to
   * `dirty`, for the caller to make durable at once (`syncAll`) before it records anything that refers to them.
   */
  putBufferSync(sha256: string, bytes: Buffer, dirty: Unsynced): { added: boolean } {
    const target = this.pathOf(sha256);
    if (this.isStored(sha256, target)) return { added: false };
    closeSync(this.writeNewSync(sha256, target, bytes));
    if (this.durable) addUnsynced(dirty, target);
    return { added: true };
  }

  /** Writes a new blob through a temporary file renamed into place; answers the file still open. */
  private writeNewSync(sha256: string, target: string, bytes: Buffer): number {
    const dir = path.dirname(target);
    if (!this.createdDirs.has(dir)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      this.createdDirs.add(dir);
    }
    const { encoding, payload } = encodeInMemory(bytes, this.level);
    const header = encodeHeader({ size: bytes.length, storedSize: payload.length, encoding, crc32: zlib.crc32(bytes) >>> 0 });
    const temp = path.join(dir, `.tmp-${sha256.slice(0, 16)}-${randomBytes(6).toString('hex')}`);
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeAllSync(fd, header);
      writeAllSync(fd, payload);
      const written = fstatSync(fd).size;
      if (written !== HEADER_BYTES + payload.length) throw shortWrite(written, HEADER_BYTES + payload.length);
      renameSync(temp, target);
    } catch (error) {
      closeSync(fd);
      rmSync(temp, { force: true });
      throw error;
    }
    this.remember(sha256, this.now());
    return fd;
  }

  /**
   * Stores bytes held in memory (an upload, a released file) and makes them durable at once; answers their id.
   * Refused with InsufficientStorageError when the data disk is below its free-space floor. The file is synced
   * through the descriptor it was written with, beside its folder.
   */
  async storeBuffer(bytes: Buffer): Promise<{ sha256: string; size: number }> {
    const low = this.lowSpace();
    if (low) throw new InsufficientStorageError(`Nothing was stored: ${low}`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const target = this.pathOf(sha256);
    if (this.isStored(sha256, target)) return { sha256, size: bytes.length };
    const fd = this.writeNewSync(sha256, target, bytes);
    try {
      // An upload waits for its own fsyncs, never for one of the folder that another upload began.
      if (this.durable) await Promise.all([fsyncFd(fd), fsyncFd(this.folderFd(path.dirname(target)))]);
    } finally {
      closeSync(fd);
    }
    return { sha256, size: bytes.length };
  }

  /**
   * fsyncs files and directories, several at a time off the event loop: concurrent fsyncs share the
   * filesystem's journal commits, where one after another each would wait for its own.
   */
  async syncAll(unsynced: Unsynced): Promise<void> {
    const syncs = [
      ...[...unsynced.files].map((file) => () => syncPath(file)),
      ...[...unsynced.folders].map((folder) => () => this.folderSyncs.run(folder)),
    ];
    await mapPool(syncs, 8, (sync) => sync());
  }

  private folderFd(folder: string): number {
    let fd = this.folderFds.get(folder);
    if (fd === undefined) {
      fd = openSync(folder, 'r');
      this.folderFds.set(folder, fd);
    }
    return fd;
  }

  /**
   * Opens a blob once, for one read of it: its header, then either its stored payload or its original bytes. A
   * blob whose length is not the one its header gives is quarantined and refused (BlobDamagedError) before any byte
   * is read, and a payload that ends early while it is read makes the stream fail, never end as if complete. The
   * file is closed when the stream ends, or by `close()` when no stream is wanted.
   */
  async open(sha256: string): Promise<OpenedBlob> {
    const { handle, info } = await this.openChecked(sha256);
    return this.reader(handle, info);
  }

  /** The reads of a blob opened and checked: one stream of it, or none (`close`). */
  private reader(handle: FileHandle, info: BlobInfo): OpenedBlob {
    let used = false;
    const take = () => {
      if (used) throw new Error(`blob ${info.sha256} was already read`);
      used = true;
    };
    const payload = (start: number, end: number): Readable => {
      take();
      // An empty range has no bytes to read (a stream from start to start - 1 is refused).
      if (end < start) {
        void handle.close().catch(() => undefined);
        return Readable.from([]);
      }
      return this.payloadStream(handle, info, HEADER_BYTES + start, HEADER_BYTES + end);
    };
    return {
      info,
      stored: () => payload(0, info.storedSize - 1),
      content: (range) => {
        if (info.encoding === 'identity') return payload(range?.start ?? 0, range?.end ?? info.size - 1);
        const stored = payload(0, info.storedSize - 1);
        const inflated = stored.pipe(zlib.createInflateRaw());
        stored.on('error', (error) => inflated.destroy(error));
        if (!range) return inflated;
        const sliced = inflated.pipe(sliceBytes(range.start, range.end));
        inflated.on('error', (error) => sliced.destroy(error));
        return sliced;
      },
      close: async () => {
        if (used) return;
        used = true;
        await handle.close().catch(() => undefined);
      },
    };
  }

  /**
   * A whole blob's original bytes, read with synchronous calls and checked against its name: for answers that hold
   * whole files anyway (the exchange's JSON), where the thread pool's round trips of a streamed read cost more than
   * the read. A missing blob throws BlobNotFoundError; a damaged one (no header, short, long, another hash) is
   * quarantined and throws BlobDamagedError.
   */
  readVerifiedSync(sha256: string): Buffer {
    return this.readSmallSync(sha256, Infinity)!.content;
  }

  /**
   * A blob read whole with synchronous calls and checked against its name, when its stored payload is at most
   * `maxStoredBytes` (else null, nothing read): for small files served at once, a few system calls where a stream
   * costs a file handle, a DEFLATE stream and a dozen trips through the thread pool. Its stored bytes (for a gzip
   * answer) and its content. A damaged blob is quarantined and refused (BlobDamagedError).
   */
  readSmallSync(sha256: string, maxStoredBytes: number): { info: BlobInfo; stored: Buffer; content: Buffer } | null {
    return this.readWholeSync(sha256, maxStoredBytes, (info, stored) => {
      // A payload that does not inflate is as wrong as one that inflates to other bytes.
      let content: Buffer | null = null;
      try {
        content = info.encoding === 'identity' ? stored : inflateWithin(stored, info.size);
      } catch {
        // judged as the wrong bytes below
      }
      return content && createHash('sha256').update(content).digest('hex') === sha256 ? content : null;
    });
  }

  /**
   * A blob's stored payload read whole with synchronous calls, when it is at most `maxStoredBytes` (else null, nothing
   * read), checked as a stream of it is: against the length its header gives. For the small entries of a zip, where
   * each streamed one costs several trips through the thread pool. A damaged blob is quarantined and refused.
   */
  readStoredSync(sha256: string, maxStoredBytes: number): { info: BlobInfo; stored: Buffer } | null {
    return this.readWholeSync(sha256, maxStoredBytes, (_info, stored) => stored);
  }

  /**
   * Reads a blob's header and payload with synchronous calls when the payload is at most `maxStoredBytes` (else
   * null); `accept` returns what to answer with, or null for bytes that are not the blob's, which is then
   * quarantined and refused, as is one whose length is not the header's.
   */
  private readWholeSync<T>(
    sha256: string,
    maxStoredBytes: number,
    accept: (info: BlobInfo, stored: Buffer) => T | null,
  ): { info: BlobInfo; stored: Buffer; content: T } | null {
    let fd: number;
    try {
      fd = openSync(this.pathOf(sha256), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(`blob ${sha256} is missing`);
      throw error;
    }
    let problem: string;
    let inode: number;
    try {
      const { size, ino } = fstatSync(fd);
      inode = ino;
      const header = Buffer.alloc(HEADER_BYTES);
      const read = readSync(fd, header, 0, HEADER_BYTES, 0);
      let info: BlobInfo | null = null;
      try {
        info = decodeHeader(sha256, header.subarray(0, read));
      } catch {
        // judged below as having no header
      }
      const found = judge(size, info);
      if ('info' in found) {
        if (found.info.storedSize > maxStoredBytes) return null;
        const stored = Buffer.allocUnsafe(found.info.storedSize);
        let offset = 0;
        while (offset < stored.length) {
          const n = readSync(fd, stored, offset, stored.length - offset, HEADER_BYTES + offset);
          if (n === 0) break;
          offset += n;
        }
        if (offset < stored.length) {
          problem = 'short';
        } else {
          const content = accept(found.info, stored);
          if (content !== null) return { info: found.info, stored, content };
          problem = 'wrong-hash';
        }
      } else {
        problem = found.problem;
      }
    } finally {
      closeSync(fd);
    }
    this.quarantine(sha256, inode);
    throw new BlobDamagedError(sha256, problem);
  }

  /**
   * The stored payload as it is on disk, read in order into buffers the caller gives (a zip's output, which it
   * reuses once written, where a stream would make a new buffer for every read). A payload shorter than its header
   * says fails as a stream of it does; `close` must be called once done.
   */
  async openStoredReader(sha256: string): Promise<{ info: BlobInfo; reader: PayloadReader }> {
    const { handle, info } = await this.openChecked(sha256);
    let position = 0;
    return {
      info,
      reader: {
        async read(into: Buffer, offset: number, length: number): Promise<number> {
          const wanted = Math.min(length, info.storedSize - position);
          if (wanted <= 0) return 0;
          const { bytesRead } = await handle.read(into, offset, wanted, HEADER_BYTES + position);
          if (bytesRead === 0) throw new BlobDamagedError(sha256, `the payload ended after ${position} of ${info.storedSize} bytes`);
          position += bytesRead;
          return bytesRead;
        },
        close: () => handle.close().catch(() => undefined),
      },
    };
  }

  /** The original bytes, optionally a byte range of them (inclusive end, as in HTTP). */
  async openContent(sha256: string, range?: { start: number; end: number }): Promise<{ info: BlobInfo; stream: Readable }> {
    const blob = await this.open(sha256);
    return { info: blob.info, stream: blob.content(range) };
  }

  /**
   * Checks one blob: present, header valid, length as the header says and, with `hash`, its original bytes
   * hashing to its name. Reads only; quarantining what is broken is the caller's decision.
   */
  async check(sha256: string, options: { hash?: boolean } = {}): Promise<BlobCheck> {
    let handle: FileHandle;
    try {
      handle = await this.openBlob(sha256);
    } catch (error) {
      if (error instanceof BlobNotFoundError) return { sha256, ok: false, problem: 'missing' };
      return { sha256, ok: false, problem: 'unreadable' };
    }
    let found: { info: BlobInfo } | { problem: BlobProblem };
    try {
      const [{ size }, header] = await Promise.all([handle.stat(), readHeader(handle, sha256).catch(() => null)]);
      found = judge(size, header);
    } catch {
      found = { problem: 'unreadable' };
    }
    if ('problem' in found || !options.hash) {
      await handle.close();
      return 'problem' in found ? { sha256, ok: false, problem: found.problem } : { sha256, ok: true, info: found.info };
    }
    const { info } = found;
    // The same open file, read through: its stream closes it.
    try {
      const stream = this.reader(handle, info).content();
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        hash.update(chunk);
        bytes += chunk.length;
      }
      return hash.digest('hex') === sha256 && bytes === info.size
        ? { sha256, ok: true, info }
        : { sha256, ok: false, problem: 'wrong-hash' };
    } catch (error) {
      if (error instanceof BlobDamagedError) return { sha256, ok: false, problem: 'short' };
      return { sha256, ok: false, problem: 'wrong-hash' };
    }
  }

  /**
   * Moves a broken blob out of the store, into `<root>/quarantine/<sha256>.<time>`: it is kept for inspection,
   * never served, and the next write of the same bytes stores them afresh. False when there was no such blob.
   * With `inode`, only the file that was found damaged is moved, not a whole copy written since in its place.
   */
  quarantine(sha256: string, inode?: number): boolean {
    const source = this.pathOf(sha256);
    const folder = path.join(this.root, QUARANTINE);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    this.touchedAt.delete(sha256);
    try {
      if (inode !== undefined && statSync(source).ino !== inode) return false;
      renameSync(source, path.join(folder, `${sha256}.${this.now()}`));
      this.onQuarantine(sha256);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  /** The data disk's free space: bytes available to the service, and their share of the filesystem. */
  freeSpace(): { bytes: number; fraction: number } {
    // Asked before every home a job scans: the root is made once, not at every call.
    if (!this.createdDirs.has(this.root)) {
      mkdirSync(this.root, { recursive: true, mode: 0o700 });
      this.createdDirs.add(this.root);
    }
    const stats = statfsSync(this.root);
    return { bytes: stats.bavail * stats.bsize, fraction: stats.blocks > 0 ? stats.bavail / stats.blocks : 0 };
  }

  /** Why the data disk is too full to take new bytes (below its floor), or null when it is not. */
  lowSpace(): string | null {
    return lowSpace(this.freeSpace(), this.minFreeSpace);
  }

  /** Opens a blob whose length matches its header; a damaged one is quarantined and refused. */
  private async openChecked(sha256: string): Promise<{ handle: FileHandle; info: BlobInfo }> {
    const handle = await this.openBlob(sha256);
    let problem: string;
    let inode: number;
    try {
      const [{ size, ino }, header] = await Promise.all([handle.stat(), readHeader(handle, sha256).catch(() => null)]);
      const found = judge(size, header);
      if ('info' in found) return { handle, info: found.info };
      problem = header ? `${found.problem}: ${size - HEADER_BYTES} of ${header.storedSize} payload bytes` : 'no valid header';
      inode = ino;
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    await handle.close().catch(() => undefined);
    this.quarantine(sha256, inode);
    throw new BlobDamagedError(sha256, problem);
  }

  /** Bytes [start, end] of an opened blob, failing if the file ends before `end`. */
  private payloadStream(handle: FileHandle, info: BlobInfo, start: number, end: number): Readable {
    const stream = handle.createReadStream({ start, end, highWaterMark: READ_CHUNK_BYTES });
    const expected = end - start + 1;
    let seen = 0;
    const guard = new Transform({
      transform(chunk: Buffer, _enc, done) {
        seen += chunk.length;
        done(null, chunk);
      },
      flush(done) {
        done(seen === expected ? null : new BlobDamagedError(info.sha256, `the payload ended after ${seen} of ${expected} bytes`));
      },
    });
    stream.on('error', (error) => guard.destroy(error));
    guard.on('close', () => {
      if (!stream.destroyed) stream.destroy();
    });
    return stream.pipe(guard);
  }

  /**
   * Whether the blob is stored and whole, marking it as just used (see touchSync). A blob this store wrote or
   * touched less than RETOUCH_MS ago is neither looked up nor touched again: its mtime protects it from collection
   * long enough, and a whole-course snapshot finds the same shared files (a dataset, the practice notebooks) in
   * every home. A blob found damaged is quarantined and reported as absent, so the caller stores it again.
   */
  private isStored(sha256: string, target: string): boolean {
    const now = this.now();
    if (now - (this.touchedAt.get(sha256) ?? -Infinity) < RETOUCH_MS) return true;
    const found = touchIfWholeSync(target);
    if (typeof found === 'number') this.quarantine(sha256, found);
    if (found !== 'whole') return false;
    this.remember(sha256, now);
    return true;
  }

  /**
   * Remembers the blob as touched now, forgetting the one remembered longest ago when full: a course's shared
   * files come up again and again and are soon remembered again, while each student's own files come up once, so
   * memory stays bounded however large the course.
   */
  private remember(sha256: string, now: number): void {
    this.touchedAt.delete(sha256);
    if (this.touchedAt.size >= this.recentBlobs) {
      const oldest = this.touchedAt.keys().next();
      if (!oldest.done) this.touchedAt.delete(oldest.value);
    }
    if (this.recentBlobs > 0) this.touchedAt.set(sha256, now);
  }

  private async openBlob(sha256: string): Promise<FileHandle> {
    try {
      return await open(this.pathOf(sha256), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(`blob ${sha256} is missing`);
      throw error;
    }
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.createdDirs.has(dir)) return;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    this.createdDirs.add(dir);
  }
}

async function readHeader(handle: FileHandle, sha256: string): Promise<BlobInfo> {
  const header = Buffer.alloc(HEADER_BYTES);
  const { bytesRead } = await handle.read(header, 0, HEADER_BYTES, 0);
  return decodeHeader(sha256, header.subarray(0, bytesRead));
}

/**
 * Marks an existing blob as just used (see blobs/collect: collection spares recently touched blobs, so a blob a
 * snapshot is about to refer to is not collected under it), if its length is the one its header gives; for a
 * damaged one, answers its inode (to quarantine that file and no other).
 */
function touchIfWholeSync(file: string): 'whole' | 'absent' | number {
  // Most blobs looked up are new: asked first without an exception, which costs far more than the lookup.
  if (!statSync(file, { throwIfNoEntry: false })) return 'absent';
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return 'absent';
  }
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    const read = readSync(fd, header, 0, HEADER_BYTES, 0);
    const { size, ino } = fstatSync(fd);
    let info: BlobInfo | null = null;
    try {
      info = decodeHeader('', header.subarray(0, read));
    } catch {
      // judged below as having no header
    }
    if ('problem' in judge(size, info)) return ino;
    const now = new Date();
    futimesSync(fd, now, now);
    return 'whole';
  } finally {
    closeSync(fd);
  }
}

/**
 * A stored payload inflated, but never past the size its header gives: a damaged payload that would inflate to more
 * (a few KB can hold gigabytes of zeros) is refused before it fills the memory.
 */
export function inflateWithin(stored: Buffer, size: number): Buffer {
  return zlib.inflateRawSync(stored, { maxOutputLength: Math.max(1, size) });
}

/** Writes the whole buffer: a write may store fewer bytes than asked (a disk filling up), and the rest must follow. */
function writeAllSync(fd: number, bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) {
    const written = writeSync(fd, bytes, offset, bytes.length - offset);
    if (written <= 0) throw shortWrite(offset, bytes.length);
    offset += written;
  }
}

function shortWrite(written: number, expected: number): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`ENOSPC: no space left on device (${written} of ${expected} bytes written)`);
  error.code = 'ENOSPC';
  return error;
}

/**
 * fsync of a file or a directory (for a directory: its entries, e.g. a rename into it), through a plain descriptor:
 * a promise API file handle costs the event loop several times as much, and a first snapshot syncs every new file.
 */
async function syncPath(file: string): Promise<void> {
  const fd = await openFd(file, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    await closeFd(fd);
  }
}

/** Passes on only bytes [start, end] of a stream. */
function sliceBytes(start: number, end: number): Transform {
  let offset = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const from = Math.max(start - offset, 0);
      const to = Math.min(end + 1 - offset, chunk.length);
      offset += chunk.length;
      done(null, from < to ? chunk.subarray(from, to) : undefined);
    },
  });
}
