/**
 * nbgrader's exchange on the wire, as ngshare_exchange speaks it: a file tree as a JSON list of `{path, content}`
 * (base64, with or without line breaks) in a form field, answered with an md5 `checksum` per file; timestamps as
 * `YYYY-MM-DD HH:MM:SS.ffffff` in UTC with no zone (the client puts them into folder names it splits on `+`).
 */
import { createHash } from 'node:crypto';
import { assertRelativePath } from '../names';
import { parseFileList } from './form';
import { InvalidInputError } from '../util/invalid-input';

export interface UploadedFile {
  path: string;
  bytes: Buffer;
}

/** A file as the client receives it: `content` unless only the listing was asked for. */
export interface WireFile {
  path: string;
  checksum: string;
  content?: string;
}

/** Decodes the `files` field of a release, submission or feedback upload, refusing anything not exactly a file tree. */
export function decodeFiles(field: Buffer | undefined, maxFiles: number): UploadedFile[] {
  if (field === undefined || field.length === 0) throw new InvalidInputError('Please supply files');
  const files = parseFileList(field, maxFiles);
  const seen = new Set<string>();
  for (const { path } of files) {
    try {
      assertRelativePath(path, { hidden: true });
    } catch (error) {
      throw new InvalidInputError(`Illegal path: ${(error as Error).message}`);
    }
    if (seen.has(path)) throw new InvalidInputError(`Illegal path: ${JSON.stringify(path)} appears twice`);
    seen.add(path);
  }
  return files;
}

export function md5Of(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** The client's file entry; `bytes` when the content is sent. */
export function wireFile(path: string, md5: string, bytes?: Buffer): WireFile {
  return bytes === undefined ? { path, checksum: md5 } : { path, checksum: md5, content: bytes.toString('base64') };
}

const CONTENT_KEY = '"content":';

/**
 * An answer as the bytes of its JSON, each WireFile's `content` (base64, which needs no escaping) written straight into
 * them: JSON.stringify would copy all the contents into one more string, which Node then measures and encodes again
 * to send. A `"content":""` in the text is a key: a path's quotes are escaped.
 */
export function answerBytes(answer: Record<string, unknown>): Buffer {
  const contents: string[] = [];
  const text = JSON.stringify(answer, function (this: Partial<WireFile>, key, value: unknown) {
    if (key !== 'content' || typeof value !== 'string' || this.checksum === undefined) return value;
    contents.push(value);
    return '';
  });
  const parts = text.split(`${CONTENT_KEY}""`);
  // Another object's empty `content` would have made one more part: such an answer is sent as JSON.stringify makes it.
  if (parts.length !== contents.length + 1) return Buffer.from(JSON.stringify(answer));
  let length = contents.reduce((sum, content) => sum + CONTENT_KEY.length + content.length + 2, 0);
  for (const part of parts) length += Buffer.byteLength(part);
  const bytes = Buffer.allocUnsafe(length);
  let offset = bytes.write(parts[0]!, 0);
  contents.forEach((content, i) => {
    offset += bytes.write(`${CONTENT_KEY}"`, offset, 'latin1');
    offset += bytes.write(content, offset, 'latin1');
    offset += bytes.write('"', offset, 'latin1');
    offset += bytes.write(parts[i + 1]!, offset);
  });
  return bytes;
}

/** Whether the client asked for the listing only: ngshare takes exactly `true` for yes. */
export function listOnly(value: unknown): boolean {
  return value === 'true';
}

const WIRE_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})\.(\d{6})(?: UTC)?$/;

/** `YYYY-MM-DD HH:MM:SS.ffffff` of a time in microseconds since the epoch. */
export function wireTimestamp(micros: bigint): string {
  const millis = Number(micros / 1000n);
  const iso = new Date(millis).toISOString(); // 2026-11-28T07:01:02.345Z
  const fraction = String(micros % 1_000_000n).padStart(6, '0');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${fraction}`;
}

/** The canonical wire form of a timestamp a client sent (with or without ` UTC`), or undefined when it is not one. */
export function parseWireTimestamp(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = WIRE_TIME.exec(value.trim());
  if (!match) return undefined;
  const canonical = `${match[1]} ${match[2]}.${match[3]}`;
  return Number.isNaN(Date.parse(`${match[1]}T${match[2]}Z`)) ? undefined : canonical;
}

/** Microseconds since the epoch of a wire timestamp in its canonical form. */
export function microsOfWireTimestamp(timestamp: string): bigint {
  const millis = Date.parse(`${timestamp.slice(0, 10)}T${timestamp.slice(11, 19)}Z`);
  return BigInt(millis) * 1000n + BigInt(timestamp.slice(20, 26));
}
