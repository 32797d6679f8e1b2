/**
 * Sending stored files to browsers and scripts: real MIME types, `Content-Disposition` with the file's name
 * (ASCII fallback plus RFC 6266 `filename*`), a strong ETag from the SHA-256, single byte ranges, and gzip
 * straight from the stored DEFLATE payload (no compression at request time).
 *
 * The bytes are students' files served from the Hub's origin, so every answer is an attachment with
 * `X-Content-Type-Options: nosniff` and a sandboxing CSP: a student's HTML can never run script as the instructor.
 */
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { ParameterizedContext } from 'koa';
import { openZip, SlabPool, writeZip, type ZipEntry } from '../archive/zip-writer';
import type { BlobStore } from '../blobs/blob-store';

const TYPES: Record<string, string> = {
  '.ipynb': 'application/x-ipynb+json',
  '.json': 'application/json',
  '.py': 'text/x-python; charset=utf-8',
  '.r': 'text/x-r; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.tsv': 'text/tab-separated-values; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.xml': 'application/xml',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.tar': 'application/x-tar',
};

export function contentTypeOf(fileName: string): string {
  return TYPES[path.extname(fileName).toLowerCase()] ?? 'application/octet-stream';
}

/** `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** Headers every download carries, whatever its type. */
export function setDownloadHeaders(ctx: ParameterizedContext, fileName: string, contentType: string): void {
  ctx.set('Content-Type', contentType);
  ctx.set('Content-Disposition', contentDisposition(fileName));
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Content-Security-Policy', "sandbox; default-src 'none'");
}

type Range = { start: number; end: number } | 'unsatisfiable' | undefined;

/** One `bytes=` range of a resource of `size` bytes; several ranges are answered with the whole resource. */
export function parseRange(header: string | undefined, size: number): Range {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, from, to] = match;
  if (from === '' && to === '') return undefined;
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(size - suffix, 0), end: size - 1 };
  }
  const start = Number(from);
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

function gzipHeader(): Buffer {
  return Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
}

function gzipTrailer(crc32: number, size: number): Buffer {
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32 >>> 0, 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  return trailer;
}

/** Files whose stored bytes are at most this are served from one synchronous read (see BlobStore.readSmallSync). */
const SMALL_BLOB_BYTES = 1024 * 1024;

/**
 * The zips' output buffers: each is given back once the socket has taken its bytes, and filled again by the same
 * zip or the next. A course zip of hundreds of MB then streams through a few of them, where a new buffer per write
 * kept the garbage collector busy for much of the zip's time.
 */
const zipSlabs = new SlabPool();

/**
 * Answers with a zip of `entries` as the file `fileName`, once its first bytes are ready (see openZip): a file that
 * cannot be read among them is thrown from here, before any header is set, and answered as an error.
 */
export async function sendZip(
  ctx: ParameterizedContext,
  entries: AsyncIterable<ZipEntry> | Iterable<ZipEntry>,
  fileName: string,
): Promise<void> {
  const chunks = await openZip(entries, zipSlabs);
  setDownloadHeaders(ctx, fileName, 'application/zip');
  ctx.status = 200;
  // Written here rather than piped by Koa, so that each buffer goes back to the pool once written (a HEAD request's
  // bytes are dropped by Node's HTTP server).
  ctx.respond = false;
  void writeZip(ctx.res, chunks, zipSlabs);
}

/** Answers with the blob's bytes as the file `fileName`. */
export async function sendBlob(ctx: ParameterizedContext, blobs: BlobStore, sha256: string, fileName: string): Promise<void> {
  const etag = `"${sha256}"`;
  setDownloadHeaders(ctx, fileName, contentTypeOf(fileName));
  ctx.set('Accept-Ranges', 'bytes');
  ctx.set('Cache-Control', 'private, max-age=0, must-revalidate');
  ctx.set('Vary', 'Accept-Encoding');
  const ifNoneMatch = ctx.get('if-none-match');
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => [etag, `W/${etag}`, `"${sha256}-gzip"`].includes(tag.trim()))) {
    ctx.status = 304;
    return;
  }
  const wantsGzip = /\bgzip\b/.test(ctx.get('accept-encoding'));
  // Most of a course's files are small: read whole, checked against their name, and sent from memory.
  const small = ctx.get('range') ? null : blobs.readSmallSync(sha256, SMALL_BLOB_BYTES);
  if (small) {
    if (wantsGzip && small.info.encoding === 'deflate') {
      ctx.set('Content-Encoding', 'gzip');
      ctx.set('ETag', `"${sha256}-gzip"`);
      ctx.body = Buffer.concat([gzipHeader(), small.stored, gzipTrailer(small.info.crc32, small.info.size)]);
    } else {
      ctx.set('ETag', etag);
      ctx.body = small.content;
    }
    return;
  }
  // One open of the blob serves whichever answer the request asks for.
  const blob = await blobs.open(sha256);
  const { info } = blob;
  const range = parseRange(ctx.get('range') || undefined, info.size);
  if (range === 'unsatisfiable') {
    await blob.close();
    ctx.set('Content-Range', `bytes */${info.size}`);
    ctx.status = 416;
    ctx.body = { status: 416, message: `Range not satisfiable: the file has ${info.size} bytes` };
    return;
  }
  if (!range && wantsGzip && info.encoding === 'deflate') {
    const stream = blob.stored();
    const body = new PassThrough();
    body.write(gzipHeader());
    stream.on('error', (error) => body.destroy(error));
    stream.on('end', () => body.end(gzipTrailer(info.crc32, info.size)));
    stream.pipe(body, { end: false });
    ctx.set('Content-Encoding', 'gzip');
    ctx.set('ETag', `"${sha256}-gzip"`);
    ctx.body = body;
    ctx.length = 10 + info.storedSize + 8;
    return;
  }
  ctx.set('ETag', etag);
  ctx.body = blob.content(range);
  if (range) {
    ctx.status = 206;
    ctx.set('Content-Range', `bytes ${range.start}-${range.end}/${info.size}`);
    ctx.length = range.end - range.start + 1;
  } else {
    ctx.length = info.size;
  }
}
