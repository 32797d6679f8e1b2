/** JSON errors in JupyterHub's shape, `{"status": 403, "message": "..."}`, for every failure of every route. */
import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import { HubError, HubUnavailableError } from '../hub/client';
import type { AppState } from './state';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import { BlobDamagedError, BlobNotFoundError } from '../blobs/blob-store';
import { isCatalogUnavailable } from '../catalog/unavailable';
import { BusyError } from '../util/busy';
import { ConflictError } from '../util/conflict';
import { NotFoundError } from '../util/not-found';
import { InvalidInputError } from '../util/invalid-input';
import { describeFailure, InsufficientStorageError, isStorageFull } from '../util/storage';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function sendError(ctx: Parameters<Middleware>[0], status: number, message: string): void {
  ctx.status = status;
  ctx.body = (ctx.state as AppState).errorShape === 'ngshare' ? { success: false, message } : { status, message };
}

/** Longest a refused request's remaining body is read before the refusal is sent anyway. */
const DRAIN_MS = 30_000;

/** Reads and drops what is left of a request's body (up to DRAIN_MS). */
async function drainBody(req: IncomingMessage): Promise<void> {
  if (req.complete || req.destroyed) return;
  let timer: NodeJS.Timeout | undefined;
  const ended = new Promise<void>((resolve) => {
    req
      .once('end', resolve)
      .once('close', resolve)
      .once('error', () => resolve());
    timer = setTimeout(resolve, DRAIN_MS);
  });
  req.resume();
  await ended;
  clearTimeout(timer);
}

export function errorHandler(log: Logger, metrics?: Pick<Metrics, 'storageFull'>): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) sendError(ctx, 404, 'Not found');
      if (ctx.status === 405 && ctx.body === undefined) sendError(ctx, 405, `Method ${ctx.method} not allowed`);
    } catch (error) {
      // A request refused while its body was being read (a full disk under an upload, a limit): read the rest and
      // drop it before answering. Answered early, the client is still sending when the answer arrives, and the
      // connection (through the Hub's proxy) is left in a state where the client's next request on it is reset.
      await drainBody(ctx.req);
      if (error instanceof ApiError) return sendError(ctx, error.status, error.message);
      if (error instanceof InvalidInputError) return sendError(ctx, 400, error.message);
      if (error instanceof ConflictError) return sendError(ctx, 409, error.message);
      if (error instanceof NotFoundError) return sendError(ctx, 404, error.message);
      if (error instanceof BusyError) {
        ctx.set('Retry-After', String(error.retryAfterSeconds));
        return sendError(ctx, 429, error.message);
      }
      if (isStorageFull(error)) {
        metrics?.storageFull.inc();
        log.error({ err: describeFailure(error) }, 'storage full');
        const what =
          error instanceof InsufficientStorageError ? error.message : `Insufficient storage: ${describeFailure(error)}; nothing was saved`;
        return sendError(ctx, 507, `${what}. Ask the Hub's administrator to free space.`);
      }
      // The catalog lists the file but the store cannot give its bytes: say so at once, never send a partial file.
      if (error instanceof BlobDamagedError) {
        log.error({ blob: error.sha256, problem: error.problem }, 'damaged blob refused');
        return sendError(
          ctx,
          500,
          'The stored copy of this file is damaged and was set aside; `coursework check` repairs it where the home still has it',
        );
      }
      if (error instanceof BlobNotFoundError) {
        log.error({ err: error.message }, 'blob missing from the store');
        return sendError(ctx, 500, 'The stored copy of this file is missing; `coursework check` repairs it where the home still has it');
      }
      if (isCatalogUnavailable(error)) {
        log.warn({ err: describeFailure(error) }, 'catalog unavailable');
        ctx.set('Retry-After', '5');
        return sendError(ctx, 503, 'The catalog database cannot be reached just now; try again shortly');
      }
      if (error instanceof HubUnavailableError) {
        log.warn({ err: error.message }, 'hub unavailable');
        return sendError(ctx, 503, `${error.message}; try again shortly`);
      }
      if (error instanceof HubError) {
        log.error({ err: error.message }, 'unexpected answer from the hub');
        return sendError(ctx, 502, `Unexpected answer from JupyterHub: ${error.message}`);
      }
      // Errors from Koa and its middleware (body parsing) carry a status and a message safe to show.
      const httpError = error as { status?: unknown; expose?: unknown; message?: string };
      if (typeof httpError.status === 'number' && httpError.status < 500 && httpError.expose === true) {
        return sendError(ctx, httpError.status, httpError.message ?? 'Bad request');
      }
      log.error({ err: error }, 'request failed');
      sendError(ctx, 500, 'Internal error; the service log has the details');
    }
  };
}
