/**
 * Authentication (who is calling) and authorization (may they) as Koa middleware.
 *
 * A caller authenticates with `Authorization: token <t>` / `Bearer <t>` (scripts, the JupyterLab extension) or with
 * the login cookie the OAuth flow sets (browsers). The decision itself lives in access/policy.
 */
import type { Middleware, ParameterizedContext } from 'koa';
import { callerFor, decide, INSTRUCT_SCOPE, type Operation, POLICY } from '../access/policy';
import type { CourseRecord, Courses } from '../courses/courses';
import type { IdentityResolver } from '../hub/identity-cache';
import { type HubOAuth, sameSecret } from './oauth';
import { type DownloadLinks, LINKABLE } from './download-links';
import { sendError } from './errors';
import type { AppState } from './state';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const AUTH_HEADER = /^(?:token|bearer)\s+(\S+)\s*$/i;

export interface AuthDeps {
  identities: IdentityResolver;
  oauth: HubOAuth;
  courses: Pick<Courses, 'find' | 'rolesOf' | 'defaultId'>;
  accessScopes: readonly string[];
  serviceName: string;
  /** Students may read their own snapshots. */
  ownerAccess: boolean;
  links: DownloadLinks;
}

type Ctx = ParameterizedContext<AppState>;

export interface GuardOptions {
  /** Browser pages: send visitors without credentials to log in instead of answering 401. */
  onUnauthenticated?: (ctx: Ctx) => void;
  /**
   * A compatible API (the seed's, ngshare's): credentials come in `X-Api-Key` (a Hub token, or the configured key)
   * or `Authorization`, never from the login cookie, and every refusal is answered by `refuse`, which is told why.
   */
  compat?: { apiKey: string | undefined; refuse: (ctx: Ctx, why: Refusal) => void };
  /** The shape of every error answer of these routes (AppState.errorShape). */
  errorShape?: AppState['errorShape'];
}

/** Why the guard refuses a request. */
export type Refusal = Exclude<ReturnType<typeof decide>, 'allow'> | 'no-course';

/** Who the configured compatibility key stands for: a Hub service holding the instruct scope, like an LMS integration. */
function apiKeyCaller(deps: AuthDeps) {
  const identity = { name: 'api-key', kind: 'service' as const, admin: false, groups: [], scopes: [...deps.accessScopes, INSTRUCT_SCOPE] };
  return callerFor(identity, deps.accessScopes);
}

/**
 * The course a request is about: the one in its path (`/courses/{course}/…`), else the default course. Answers
 * 404 for a course that never existed and 410 for a deleted one, and false then.
 */
async function resolveCourse(ctx: Ctx, deps: AuthDeps): Promise<CourseRecord | false> {
  const named = (ctx as { params?: Record<string, string> }).params?.course;
  const course = await deps.courses.find(named ?? deps.courses.defaultId);
  if (!course) {
    sendError(ctx, 404, `There is no course ${JSON.stringify(named)}`);
    return false;
  }
  if (course.deletedAt) {
    sendError(ctx, 410, `The course ${course.id} was deleted on ${course.deletedAt}`);
    return false;
  }
  return course;
}

/** Finds out who is calling, asking the Hub (through the cache) only when credentials were sent. */
async function resolveCaller(ctx: Ctx, deps: AuthDeps, operation: Operation, compat: GuardOptions['compat']): Promise<void> {
  const link = ctx.query.link;
  if (typeof link === 'string' && ctx.method === 'GET' && LINKABLE.has(operation) && !ctx.get('authorization')) {
    const caller = deps.links.resolve(link, ctx.originalUrl);
    // Its maker, whose roles are read again for the course of the download (see guard).
    if (caller) ctx.state.caller = { ...caller };
    else ctx.state.credentialsRejected = 'link';
    return;
  }
  const apiKey = compat ? ctx.get('x-api-key') : '';
  if (apiKey && compat?.apiKey && sameSecret(apiKey, compat.apiKey)) {
    ctx.state.caller = apiKeyCaller(deps);
    ctx.state.authVia = 'header';
    return;
  }
  const header = ctx.get('authorization');
  const fromHeader = apiKey || AUTH_HEADER.exec(header)?.[1];
  if (header && !fromHeader) {
    ctx.state.credentialsRejected = true;
    return;
  }
  const token = fromHeader || (compat ? undefined : deps.oauth.sessionToken(ctx));
  if (!token) return;
  const identity = await deps.identities.identify(token);
  if (identity) {
    ctx.state.caller = callerFor(identity, deps.accessScopes);
    ctx.state.authVia = fromHeader ? 'header' : 'cookie';
  } else if (fromHeader) {
    ctx.state.credentialsRejected = true;
  } else {
    deps.oauth.clearSession(ctx); // the Hub revoked the login: the browser has to log in again
  }
}

/**
 * The guard in front of every route: authenticates the caller (not for public operations, so that `health` works
 * with the Hub down), refuses cookie-authenticated writes without the XSRF token, and applies the policy.
 * `onUnauthenticated` lets browser pages send people to log in instead of answering 401.
 */
export function guard(operation: Operation, deps: AuthDeps, options: GuardOptions = {}): Middleware<AppState> {
  const isPublic = POLICY[operation] === 'public';
  const { onUnauthenticated, compat } = options;
  return async (ctx, next) => {
    if (options.errorShape) ctx.state.errorShape = options.errorShape;
    if (isPublic) return next();
    await resolveCaller(ctx, deps, operation, compat);
    if (ctx.state.authVia === 'cookie' && !SAFE_METHODS.has(ctx.method) && !deps.oauth.xsrfMatches(ctx)) {
      return sendError(ctx, 403, "XSRF check failed: send the coursework-xsrf cookie's value in the X-XSRFToken header");
    }
    const caller = ctx.state.caller;
    if (caller?.hasAccess) {
      const course = await resolveCourse(ctx, deps);
      if (!course) return compat ? compat.refuse(ctx, 'no-course') : undefined;
      ctx.state.course = course;
      // Every caller's roles are those in the request's course, read now that it is known.
      caller.roles = await deps.courses.rolesOf(course, caller.identity);
    }
    const owner = (ctx as { params?: Record<string, string> }).params?.student;
    const decision = decide(operation, ctx.state.caller, { owner, ownerAccess: deps.ownerAccess });
    if (decision !== 'allow' && compat) return compat.refuse(ctx, decision);
    switch (decision) {
      case 'allow':
        return next();
      case 'unauthenticated':
        if (onUnauthenticated && !ctx.state.credentialsRejected) return onUnauthenticated(ctx);
        ctx.set('WWW-Authenticate', 'token');
        return sendError(
          ctx,
          401,
          ctx.state.credentialsRejected === 'link'
            ? 'This download link is invalid or has expired (links last a minute): ask for a new one'
            : ctx.state.credentialsRejected
              ? 'Invalid, expired or revoked token'
              : 'Authentication required: send "Authorization: token <JupyterHub API token>"',
        );
      case 'no-access':
        return sendError(ctx, 403, `This token does not grant access to the ${deps.serviceName} service`);
      case 'forbidden':
        return sendError(ctx, 403, `Not allowed: ${operation} is not permitted for your role in this course`);
    }
  };
}
