/**
 * The Koa application and its HTTP server. Middleware reads in the order a request passes through it: access log,
 * JSON errors, then the routes (each behind its own guard).
 */
import { createServer, type Server } from 'node:http';
import Koa from 'koa';
import type { BlobStore } from './blobs/blob-store';
import type { Catalog } from './catalog/catalog';
import type { Config } from './config';
import type { Courses } from './courses/courses';
import type { Exchange } from './exchange/exchange';
import type { CourseSpaces } from './courses/spaces';
import type { HubClient } from './hub/client';
import type { IdentityCache } from './hub/identity-cache';
import { HubOAuth } from './http/oauth';
import { accessLog } from './http/access-log';
import { compressJson } from './http/compress-json';
import { NGSHARE_BASE } from './http/compat/ngshare';
import { errorHandler } from './http/errors';
import { createRouter } from './http/routes';
import { takingTurns } from './http/turns';
import type { AppState } from './http/state';
import type { Logger } from './log';
import type { Metrics } from './metrics';
import { describeFailure } from './util/storage';

export interface AppDeps {
  config: Config;
  log: Logger;
  hub: HubClient;
  identities: IdentityCache;
  courses: Courses;
  spaces: CourseSpaces;
  exchange: Exchange;
  catalog: Catalog;
  blobs: BlobStore;
  cookieSecret: string;
  version: string;
  metrics: Metrics;
}

export function createApp(deps: AppDeps): Koa<AppState> {
  const app = new Koa<AppState>({ proxy: true, keys: [deps.cookieSecret] });
  // Koa would print every error to stderr itself; errorHandler already logs them as JSON.
  app.silent = true;
  const oauth = new HubOAuth(deps.config.hub, deps.hub);
  const router = createRouter({ ...deps, oauth });
  // Errors after an answer has started (a stream that fails mid-way: a blob damaged under a download, a zip cut
  // short) can no longer be answered; the client sees the connection break, and the log says why.
  // (A client that goes away mid-download ends up here too, which is no fault of the service.)
  app.on('error', (error: Error & { sha256?: string }) => {
    if (error.sha256) deps.log.error({ err: describeFailure(error), blob: error.sha256 }, 'answer broken off: damaged blob');
    else deps.log.info({ err: describeFailure(error) }, 'answer broken off');
  });
  app.use(accessLog(deps.log, deps.metrics));
  app.use(errorHandler(deps.log, deps.metrics));
  // nbgrader's exchange answers are not compressed: they are file contents fetched from users' servers inside the
  // cluster, where gzip (a millisecond a notebook) costs more than the bytes it saves, as ngshare never compressed.
  const exchange = `${deps.config.hub.servicePrefix}${NGSHARE_BASE.slice(1)}/`;
  app.use(compressJson({ except: (path) => path.startsWith(exchange) }));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

/** The HTTP server of the app, on which requests take turns (see http/turns). */
export function serve(app: Koa<AppState>): Server {
  return createServer(takingTurns(app.callback()));
}
