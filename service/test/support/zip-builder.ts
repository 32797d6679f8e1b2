/**
 * Builds zip archives byte by byte for tests, including the hostile kinds no well-behaved tool writes: `..` and
 * absolute names, symlink entries, sizes that lie, wrong CRCs.
 */
import zlib from 'node:zlib';
import type { PayloadReader } from '../../src/blobs/blob-store';

export interface TestZipEntry {
  name: string;
  content?: Buffer | string;
  /** Store deflated (default) or as is. */
  deflate?: boolean;
  /** Unix mode for the external attributes, e.g. 0o120777 for a symlink. */
  mode?: number;
  /** Declared uncompressed size, when it should lie. */
  declaredSize?: number;
  crc32?: number;
}

export function buildZip(entries: TestZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const content = Buffer.from(entry.content ?? '');
    const deflate = entry.deflate ?? true;
    const data = deflate ? zlib.deflateRawSync(content) : content;
    const name = Buffer.from(entry.name, 'utf8');
    const crc = entry.crc32 ?? zlib.crc32(content) >>> 0;
    const size = entry.declaredSize ?? content.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((entry.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * A zip payload reader over bytes in memory, as BlobStore.openStoredReader gives one over a file: reads of at most
 * `step` bytes (so a zip's writes see several), `onClose` told whether it was read to its end.
 */
export function memoryReader(bytes: Buffer, onClose?: (readToEnd: boolean) => void, step = 64 * 1024): PayloadReader {
  let position = 0;
  return {
    async read(into, offset, length) {
      await new Promise((resolve) => setImmediate(resolve));
      const read = bytes.copy(into, offset, position, Math.min(bytes.length, position + Math.min(length, step)));
      position += read;
      return read;
    },
    async close() {
      onClose?.(position === bytes.length);
    },
  };
}
