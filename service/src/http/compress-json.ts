/**
 * JSON answers of some size gzipped for clients that take it: the class view repeats the same keys for every cell
 * and shrinks many times over, and on a campus network its transfer is most of the time to first render.
 * Compressed off the event loop, at zlib's fastest level (JSON this repetitive gains little from more).
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Middleware } from 'koa';

const gzip = promisify(zlib.gzip);

/** Below this, compressing costs more than it saves. */
export const COMPRESS_MIN_BYTES = 16 * 1024;

export interface CompressOptions {
  /** Paths whose answers are never compressed. */
  except?: (path: string) => boolean;
}

export function compressJson(options: CompressOptions = {}): Middleware {
  return async (ctx, next) => {
    await next();
    if (options.except?.(ctx.path)) return;
    const body: unknown = ctx.body;
    // Streams, buffers and text (downloads, zips, CSV, pages) are left as they are: only JSON made from values.
    if (body === null || typeof body !== 'object' || Buffer.isBuffer(body) || typeof (body as { pipe?: unknown }).pipe === 'function')
      return;
    ctx.vary('Accept-Encoding');
    const text = JSON.stringify(body);
    const { status, type } = ctx;
    if (text.length < COMPRESS_MIN_BYTES || ctx.acceptsEncodings('gzip', 'identity') !== 'gzip') {
      ctx.body = text;
    } else {
      ctx.body = await gzip(text, { level: 1 });
      ctx.set('Content-Encoding', 'gzip');
    }
    // Setting the body again must not change what the route answered.
    ctx.status = status;
    ctx.type = type;
  };
}
