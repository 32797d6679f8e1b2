/**
 * Every route of the service, each behind the guard of its operation (access/policy). Paths are relative to the
 * service prefix; the OpenAPI document lists the API routes among them.
 */
import Router from '@koa/router';
import type { Middleware, ParameterizedContext } from 'koa';
import { type Operation, permissionsOf } from '../access/policy';
import { readAudit } from '../audit/audit';
import type { Config } from '../config';
import type { IdentityCache } from '../hub/identity-cache';
import type { HubOAuth } from './oauth';
import { homeExists, homePath } from '../homes/home-path';
import { checkStore, type CheckReport, parseHashSelection } from '../integrity/check';
import { SnapshotQueries } from '../snapshots/queries';
import type { Roster } from '../students/roster';
import { type AuthDeps, guard, type GuardOptions } from './auth';
import { addAssignmentRoutes, type AssignmentRouteDeps } from './assignment-routes';
import { addCompatRoutes, seedUnauthorized } from './compat';
import { addFeedbackRoutes, type FeedbackRouteDeps } from './feedback-routes';
import { DownloadLinks, withoutLinkParameter } from './download-links';
import { ApiError } from './errors';
import { jsonBody } from './json-body';
import { openApiDocument } from './openapi';
import { homePage } from './pages';
import { parsePage, sendPage } from './pagination';
import { addSnapshotRoutes, type SnapshotRouteDeps } from './snapshot-routes';
import type { AppState, Method } from './state';

export interface RouteDeps extends SnapshotRouteDeps, FeedbackRouteDeps, AssignmentRouteDeps {
  config: Config;
  identities: IdentityCache;
  oauth: HubOAuth;
  roster: Roster;
  version: string;
}

type Ctx = ParameterizedContext<AppState>;

export function createRouter(deps: RouteDeps): Router<AppState> {
  const { config, oauth } = deps;
  const prefix = config.hub.servicePrefix;
  const router = new Router<AppState>({ prefix: prefix.slice(0, -1) });
  const authDeps: AuthDeps = {
    identities: deps.identities,
    oauth,
    course: config.course,
    accessScopes: config.hub.accessScopes,
    serviceName: config.hub.serviceName,
    ownerAccess: config.allowStudentSnapshots,
    links: new DownloadLinks(),
  };
  /** Registers a route named by its operation, behind that operation's guard. */
  const addRoute = (method: Method, operation: Operation, path: string, handlers: Middleware<AppState>[], options?: GuardOptions) => {
    router[method](operation, path, guard(operation, authDeps, options), ...handlers);
  };
  const add = (method: Method, operation: Operation, path: string, ...handlers: Middleware<AppState>[]) =>
    addRoute(method, operation, path, handlers);
  const sendToLogin = (ctx: Ctx) => oauth.redirectToLogin(ctx, ctx.originalUrl);
  const openApi = openApiDocument(prefix);

  add('get', 'getHealth', '/health', (ctx) => {
    ctx.body = { status: 'ok', version: deps.version };
  });

  add('get', 'getOpenApi', '/api/v1/openapi.json', (ctx) => {
    ctx.body = openApi;
  });

  add('get', 'getMe', '/api/v1/me', (ctx) => {
    const caller = ctx.state.caller!;
    const { name, kind, admin, groups } = caller.identity;
    ctx.body = {
      name,
      kind,
      admin,
      groups,
      roles: caller.roles,
      permissions: permissionsOf(caller, config.allowStudentSnapshots),
      course: { id: config.course.id, title: config.course.title },
    };
  });

  add('get', 'listStudents', '/api/v1/students', async (ctx) => {
    const page = parsePage(ctx.query, config.pagination);
    const names = await deps.roster.studentNames();
    const slice = names.slice(page.offset, page.offset + page.limit);
    const latest = await new SnapshotQueries(deps.catalog, config.course.id).latestTakenAt(slice);
    const students = await Promise.all(
      slice.map(async (name) => ({
        name,
        homeExists: await homeExists(homePath(config.homeTemplate, name)),
        latestSnapshotAt: latest.get(name) ?? null,
      })),
    );
    sendPage(ctx, students, names.length, page);
  });

  const linkBody = jsonBody('8kb');
  add('post', 'createDownloadLink', '/api/v1/download-links', linkBody, (ctx) => {
    const given = (ctx.request.body as { path?: unknown } | undefined)?.path;
    if (typeof given !== 'string' || !given.startsWith('api/v1/') || given.length > 4000 || /[\s#]/.test(given)) {
      throw new ApiError(400, 'path must be a download path of this API, e.g. api/v1/snapshots/<name>/zip');
    }
    const target = withoutLinkParameter(prefix + given);
    const { id, expiresAt } = authDeps.links.create(ctx.state.caller!, target);
    ctx.status = 201;
    ctx.body = { url: `${target}${target.includes('?') ? '&' : '?'}link=${id}`, expiresAt };
  });

  add('get', 'getAudit', '/api/v1/audit', async (ctx) => {
    const page = parsePage(ctx.query, config.pagination);
    const text = (name: string) =>
      typeof ctx.query[name] === 'string' && ctx.query[name] !== '' ? (ctx.query[name] as string) : undefined;
    const { items, total } = await readAudit(deps.catalog, config.course.id, page, {
      action: text('action'),
      actor: text('actor'),
      target: text('target'),
    });
    sendPage(ctx, items, total, page);
  });

  // One check at a time: a second request while one runs is told so rather than doubling the reads.
  let checking: Promise<CheckReport> | undefined;
  add('post', 'checkStore', '/api/v1/check', jsonBody('8kb'), async (ctx) => {
    const body = (ctx.request.body ?? {}) as { readDataSubset?: unknown; repair?: unknown };
    const subset = body.readDataSubset ?? '0%';
    const hash = typeof subset === 'string' ? parseHashSelection(subset) : undefined;
    if (!hash) throw new ApiError(400, 'readDataSubset must be all, none, a share such as 10% or a slice such as 1/5');
    if (body.repair !== undefined && typeof body.repair !== 'boolean') throw new ApiError(400, 'repair must be true or false');
    if (checking) throw new ApiError(409, 'A check of the store is already running; try again when it has finished');
    checking = checkStore(deps.catalog, deps.blobs, { hash, repair: body.repair ?? true, homeTemplate: config.homeTemplate });
    try {
      ctx.body = await checking;
    } finally {
      checking = undefined;
    }
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
  addSnapshotRoutes(add, deps);
  addFeedbackRoutes(add, deps);
  addAssignmentRoutes(add, deps);

  const compat: GuardOptions = { compat: { apiKey: config.compatApiKey, refuse: seedUnauthorized } };
  addCompatRoutes((method, operation, path, ...handlers) => addRoute(method, operation, path, handlers, compat), deps);

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
