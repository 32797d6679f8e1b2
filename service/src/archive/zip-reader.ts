/**
 * Reads uploaded zip archives (bulk feedback), treating each as hostile.
 *
 * jszip, the listed library, silently rewrites `..` in entry names and inflates an entry whole before its real
 * size is known, so a zip bomb has already filled memory when it is noticed. This reader sees the raw names and
 * attributes from the central directory, refuses the archive from its declared counts and sizes before inflating
 * anything, and inflates each entry with a hard output limit (a lying size header cannot make it produce more)
 * and a CRC check.
 */
import zlib from 'node:zlib';

export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

export interface ZipReadEntry {
  /** As stored (UTF-8, or Latin-1 when not valid UTF-8); not validated here. */
  name: string;
  method: number;
  encrypted: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

function need(condition: boolean, what: string): asserts condition {
  if (!condition) throw new ZipFormatError(`not a readable zip archive (${what})`);
}

function decodeName(raw: Buffer): string {
  const text = raw.toString('utf8');
  return text.includes('\ufffd') ? raw.toString('latin1') : text;
}

function findEndOfCentralDirectory(zip: Buffer): number {
  const lowest = Math.max(0, zip.length - 22 - 0xffff);
  for (let at = zip.length - 22; at >= lowest; at--) if (zip.readUInt32LE(at) === EOCD) return at;
  throw new ZipFormatError('not a zip archive (no end of central directory)');
}

/** The entries of the archive, from its central directory; refuses more than `maxEntries` before reading them. */
export function readZipEntries(zip: Buffer, maxEntries: number): ZipReadEntry[] {
  need(zip.length >= 22, 'too short');
  const eocd = findEndOfCentralDirectory(zip);
  let count = zip.readUInt16LE(eocd + 10);
  let directorySize = zip.readUInt32LE(eocd + 12);
  let directoryOffset = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    need(eocd >= 20 && zip.readUInt32LE(eocd - 20) === ZIP64_LOCATOR, 'ZIP64 locator');
    const at = Number(zip.readBigUInt64LE(eocd - 12));
    need(at + 56 <= zip.length && zip.readUInt32LE(at) === ZIP64_EOCD, 'ZIP64 end record');
    count = Number(zip.readBigUInt64LE(at + 32));
    directorySize = Number(zip.readBigUInt64LE(at + 40));
    directoryOffset = Number(zip.readBigUInt64LE(at + 48));
  }
  if (count > maxEntries) throw new ZipFormatError(`the archive has ${count} entries; at most ${maxEntries} are accepted`);
  need(directoryOffset + directorySize <= zip.length, 'central directory out of bounds');
  const entries: ZipReadEntry[] = [];
  let at = directoryOffset;
  for (let i = 0; i < count; i++) {
    need(at + 46 <= zip.length && zip.readUInt32LE(at) === CENTRAL, 'central directory entry');
    const madeBy = zip.readUInt16LE(at + 4) >> 8;
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const crc32 = zip.readUInt32LE(at + 16);
    let compressedSize = zip.readUInt32LE(at + 20);
    let size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const externalAttributes = zip.readUInt32LE(at + 38);
    let localHeaderOffset = zip.readUInt32LE(at + 42);
    need(at + 46 + nameLength + extraLength + commentLength <= zip.length, 'entry out of bounds');
    const rawName = zip.subarray(at + 46, at + 46 + nameLength);
    // ZIP64 sizes and offset, in this order, for the fields that overflowed.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = zip.readUInt16LE(extra);
      const length = zip.readUInt16LE(extra + 2);
      if (id === 0x0001) {
        let field = extra + 4;
        const next = () => {
          need(field + 8 <= extra + 4 + length, 'ZIP64 extra field');
          const value = Number(zip.readBigUInt64LE(field));
          field += 8;
          return value;
        };
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
      }
      extra += 4 + length;
    }
    const unixMode = madeBy === 3 ? externalAttributes >>> 16 : 0;
    const name = decodeName(rawName);
    entries.push({
      name,
      method,
      encrypted: (flags & 1) !== 0,
      isDirectory: name.endsWith('/') || (unixMode & S_IFMT) === S_IFDIR || (externalAttributes & 0x10) !== 0,
      isSymlink: (unixMode & S_IFMT) === S_IFLNK,
      crc32,
      compressedSize,
      size,
      localHeaderOffset,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The bytes of one entry: never more than its declared size, checked against its CRC-32. */
export function extractZipEntry(zip: Buffer, entry: ZipReadEntry): Buffer {
  const at = entry.localHeaderOffset;
  need(at + 30 <= zip.length && zip.readUInt32LE(at) === LOCAL, 'local header');
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  need(start + entry.compressedSize <= zip.length, 'entry data out of bounds');
  const data = zip.subarray(start, start + entry.compressedSize);
  let bytes: Buffer;
  if (entry.method === 0) {
    bytes = data;
  } else if (entry.method === 8) {
    try {
      // Room for one byte more than declared: producing it proves the size header lied.
      bytes = zlib.inflateRawSync(data, { maxOutputLength: Math.max(1, entry.size + 1) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
        throw new ZipFormatError('the entry inflates to more than its declared size');
      throw new ZipFormatError('the entry does not inflate');
    }
  } else {
    throw new ZipFormatError(`compression method ${entry.method} is not supported (stored and deflated are)`);
  }
  if (bytes.length !== entry.size) throw new ZipFormatError('the entry is not the size its header declares');
  if (zlib.crc32(bytes) >>> 0 !== entry.crc32) throw new ZipFormatError('the entry fails its CRC-32 check');
  return bytes;
}
