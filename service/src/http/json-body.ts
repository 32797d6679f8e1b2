/** The JSON request body parser of the API's routes: JSON only, up to `limit` (koa-body's size notation). */
import type { Middleware } from 'koa';
import { koaBody } from 'koa-body';
import type { AppState } from './state';

export function jsonBody(limit: string): Middleware<AppState> {
  return koaBody({ json: true, urlencoded: false, multipart: false, jsonLimit: limit }) as unknown as Middleware<AppState>;
}
