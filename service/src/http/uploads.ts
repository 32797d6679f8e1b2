/** Uploaded bytes: multipart parsing with limits, and raw bodies with a cap. */
import { mkdirSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Middleware, ParameterizedContext } from 'koa';
import { koaBody } from 'koa-body';
import { ApiError } from './errors';
import type { AppState } from './state';
import { isStorageFull } from '../util/storage';

type Ctx = ParameterizedContext<AppState>;

export interface UploadLimits {
  maxFileBytes: number;
  maxTotalBytes: number;
  maxFiles: number;
}

/** koa-body for multipart and urlencoded forms; files land in `uploadDir` (private, on the data disk). */
export function formBody(uploadDir: string, limits: UploadLimits): Middleware<AppState> {
  mkdirSync(uploadDir, { recursive: true, mode: 0o700 });
  return koaBody({
    json: false,
    urlencoded: true,
    multipart: true,
    formLimit: '1mb',
    formidable: {
      uploadDir,
      maxFileSize: limits.maxFileBytes,
      maxTotalFileSize: limits.maxTotalBytes,
      maxFiles: limits.maxFiles,
      allowEmptyFiles: true,
      minFileSize: 0,
    },
    // formidable reports limits with `httpCode` (413 for sizes); make them the API's JSON errors.
    onError: (error) => {
      // A full disk is not the caller's fault: the error handler answers 507.
      if (isStorageFull(error) || isStorageFull((error as { cause?: unknown }).cause) || /ENOSPC|EDQUOT/.test(error.message)) {
        throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      }
      const code = (error as { httpCode?: unknown }).httpCode;
      const status = typeof code === 'number' && code >= 400 && code < 500 ? code : 400;
      throw new ApiError(status, `Upload refused: ${error.message}`);
    },
  }) as unknown as Middleware<AppState>;
}

export interface UploadedFile {
  /** The name the client gave (may hold `/` for a path). */
  name: string;
  field: string;
  tempPath: string;
  size: number;
}

/** Every uploaded file of the request, in field order. */
export function uploadedFiles(ctx: Ctx): UploadedFile[] {
  const files = ctx.request.files ?? {};
  const out: UploadedFile[] = [];
  for (const [field, value] of Object.entries(files)) {
    for (const file of Array.isArray(value) ? value : [value]) {
      out.push({ name: file.originalFilename ?? '', field, tempPath: file.filepath, size: file.size });
    }
  }
  return out;
}

/** Removes the request's temporary upload files (formidable leaves them behind). */
export async function discardUploads(ctx: Ctx): Promise<void> {
  await Promise.all(uploadedFiles(ctx).map((file) => rm(file.tempPath, { force: true })));
}

/** Runs the handler, then removes the request's upload files whatever happened. */
export function cleaningUploads(handler: Middleware<AppState>): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await handler(ctx, next);
    } finally {
      await discardUploads(ctx);
    }
  };
}

/**
 * A request body of at most `max` bytes (413 beyond). A declared length over the cap is refused before reading;
 * otherwise the rest of an oversized body is drained, not cut off, so the client receives the 413.
 */
export async function readBody(
  stream: Readable,
  max: number,
  declaredLength?: number,
  tooLarge: () => Error = () => new ApiError(413, `The file is larger than ${max} bytes, the limit for one feedback file`),
): Promise<Buffer> {
  if (declaredLength !== undefined && declaredLength > max) throw tooLarge();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += (chunk as Buffer).length;
    if (total <= max) chunks.push(chunk as Buffer);
  }
  if (total > max) throw tooLarge();
  return Buffer.concat(chunks);
}

export async function readUpload(file: UploadedFile): Promise<Buffer> {
  return readFile(file.tempPath);
}
