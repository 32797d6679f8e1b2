import type { Middleware } from 'koa';
import type { Caller, Operation } from '../access/policy';
import type { CourseRecord } from '../courses/courses';

/** What the authentication middleware leaves on `ctx.state` for the routes. */
export interface AppState {
  caller?: Caller;
  /** The course the request is about (its path's, or the default course), once the caller has access. */
  course?: CourseRecord;
  /** How the caller authenticated: an Authorization header or the service's login cookie. */
  authVia?: 'header' | 'cookie';
  /** Credentials were sent but the Hub does not accept them (or a download link is not, or no longer, valid). */
  credentialsRejected?: boolean | 'link';
  /** A form-encoded request's fields, as bytes (nbgrader's exchange reads its uploads from them). */
  form?: Map<string, Buffer>;
  /** Errors in the shape of a compatible API's (ngshare's `{success: false, message}`) instead of the service's. */
  errorShape?: 'ngshare';
}

/** An HTTP method of the API's routes. */
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** How a module of routes registers one: named by its operation, behind that operation's guard (see routes.ts). */
export type AddRoute = (method: Method, operation: Operation, path: string, ...handlers: Middleware<AppState>[]) => void;
