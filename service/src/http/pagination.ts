/**
 * Pagination as JupyterHub's REST API does it: `offset` and `limit` query parameters; a bare JSON list by default,
 * and `{items, _pagination: {offset, limit, total, next}}` when the client sends
 * `Accept: application/jupyterhub-pagination+json`.
 */
import type { ParameterizedContext } from 'koa';
import { ApiError } from './errors';

export const PAGINATION_MEDIA_TYPE = 'application/jupyterhub-pagination+json';

export interface Page {
  offset: number;
  limit: number;
}

export interface PageLimits {
  defaultLimit: number;
  maxLimit: number;
}

function nonNegativeInt(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) {
    throw new ApiError(400, `${name} must be a non-negative integer`);
  }
  return Number(value);
}

export function parsePage(query: Record<string, unknown>, limits: PageLimits): Page {
  const offset = nonNegativeInt('offset', query.offset) ?? 0;
  const asked = nonNegativeInt('limit', query.limit);
  // Like JupyterHub: limit=0 or none means the default; more than the maximum is capped, not refused.
  const limit = asked === undefined || asked === 0 ? limits.defaultLimit : Math.min(asked, limits.maxLimit);
  return { offset, limit };
}

export function wantsEnvelope(ctx: ParameterizedContext): boolean {
  return ctx.get('accept').includes(PAGINATION_MEDIA_TYPE);
}

export function sendPage<T>(ctx: ParameterizedContext, items: T[], total: number, page: Page): void {
  if (!wantsEnvelope(ctx)) {
    ctx.body = items;
    return;
  }
  const nextOffset = page.offset + page.limit;
  let next = null;
  if (nextOffset < total) {
    const url = new URL(ctx.href);
    url.searchParams.set('offset', String(nextOffset));
    url.searchParams.set('limit', String(page.limit));
    next = { offset: nextOffset, limit: page.limit, url: url.toString() };
  }
  ctx.body = { items, _pagination: { offset: page.offset, limit: page.limit, total, next } };
}
