/**
 * Every route of the service, each behind the guard of its operation (access/policy). Paths are relative to the
 * service prefix; the OpenAPI document lists the API routes among them.
 */
import Router from '@koa/router';
import type { Middleware, ParameterizedContext } from 'koa';
import type { Config } from '../config';
import type { IdentityCache } from '../hub/identity-cache';
import type { HubOAuth } from './oauth';
import { type AuthDeps, guard, type GuardOptions } from './auth';
import { inCourseName, inCoursePath } from './course-scope';
import type { Operation } from '../access/policy';
import type { Metrics } from '../metrics';
import { DownloadLinks } from './download-links';
import { addAssignmentRoutes, type AssignmentRouteDeps } from './v1/assignments';
import { addCourseRoutes, type CourseRouteDeps } from './v1/course';
import { addCoursesRoutes, type CoursesRouteDeps } from './v1/courses';
import { addCompatRoutes, seedUnauthorized } from './compat/seed-api';
import { addNgshareRoutes, type NgshareRouteDeps, ngshareRefusal } from './compat/ngshare';
import { addFeedbackRoutes, type FeedbackRouteDeps } from './v1/feedback';
import { DOCS_CSP, docsPage } from './openapi/docs-page';
import { openApiDocument } from './openapi/document';
import { homePage } from './pages';
import { addSnapshotRoutes, type SnapshotRouteDeps } from './v1/snapshots';
import type { AppState, Method } from './state';

export interface RouteDeps
  extends Omit<CourseRouteDeps, 'links'>, CoursesRouteDeps, SnapshotRouteDeps, FeedbackRouteDeps, AssignmentRouteDeps, NgshareRouteDeps {
  config: Config;
  identities: IdentityCache;
  oauth: HubOAuth;
  version: string;
  metrics: Metrics;
  /** The service's secret: its login cookies' key, and the one its download links are signed with. */
  cookieSecret: string;
}

type Ctx = ParameterizedContext<AppState>;

export function createRouter(deps: RouteDeps): Router<AppState> {
  const { config, oauth } = deps;
  const prefix = config.hub.servicePrefix;
  const router = new Router<AppState>({ prefix: prefix.slice(0, -1) });
  const authDeps: AuthDeps = {
    identities: deps.identities,
    oauth,
    courses: deps.courses,
    accessScopes: config.hub.accessScopes,
    serviceName: config.hub.serviceName,
    ownerAccess: config.allowStudentSnapshots,
    links: new DownloadLinks(deps.cookieSecret),
  };
  /** Registers a route named by its operation, behind that operation's guard. */
  const addRoute = (method: Method, operation: Operation, path: string, handlers: Middleware<AppState>[], options?: GuardOptions) => {
    router[method](operation, path, guard(operation, authDeps, options), ...handlers);
  };
  /** An API route; one about a course's resources also under `courses/{course}` (course-scope.ts). */
  const add = (method: Method, operation: Operation, path: string, ...handlers: Middleware<AppState>[]) => {
    addRoute(method, operation, path, handlers);
    const scoped = inCoursePath(operation, path);
    if (scoped) router[method](inCourseName(operation), scoped, guard(operation, authDeps), ...handlers);
  };
  const sendToLogin = (ctx: Ctx) => oauth.redirectToLogin(ctx, ctx.originalUrl);
  const openApi = openApiDocument(prefix);

  add('get', 'getHealth', '/health', (ctx) => {
    ctx.body = { status: 'ok', version: deps.version };
  });

  add('get', 'getMetrics', '/metrics', async (ctx) => {
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });

  add('get', 'getOpenApi', '/api/v1/openapi.json', (ctx) => {
    ctx.body = openApi;
  });

  const docs = docsPage(openApi, prefix);
  add('get', 'getApiDocs', '/api/docs', (ctx) => {
    ctx.type = 'html';
    ctx.set('Content-Security-Policy', DOCS_CSP);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.body = docs;
  });

  const callbackPath = config.hub.oauthCallbackUrl.slice(prefix.length - 1);
  add('get', 'oauthCallback', callbackPath, (ctx) => oauth.callback(ctx));

  add('post', 'logout', '/logout', (ctx) => {
    const token = oauth.sessionToken(ctx);
    if (token) deps.identities.forget(token);
    oauth.clearSession(ctx);
    ctx.status = 204;
  });

  // The Hub's service link and its start-up check land here; browsers without a login go through OAuth.
  addCoursesRoutes(add, deps);
  addCourseRoutes(add, { ...deps, links: authDeps.links });
  addSnapshotRoutes(add, deps);
  addFeedbackRoutes(add, deps);
  addAssignmentRoutes(add, deps);

  const compat: GuardOptions = { compat: { apiKey: config.compatApiKey, refuse: seedUnauthorized } };
  addCompatRoutes((method, operation, path, ...handlers) => addRoute(method, operation, path, handlers, compat), deps);

  const ngshare: GuardOptions = { compat: { apiKey: undefined, refuse: ngshareRefusal }, errorShape: 'ngshare' };
  addNgshareRoutes((method, operation, path, ...handlers) => addRoute(method, operation, path, handlers, ngshare), deps);

  addRoute(
    'get',
    'getHome',
    '/',
    [
      (ctx) => {
        ctx.type = 'html';
        ctx.body = homePage({ caller: ctx.state.caller!, course: config.course, prefix, version: deps.version });
      },
    ],
    { onUnauthenticated: sendToLogin },
  );

  return router;
}
