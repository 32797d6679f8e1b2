/**
 * A stand-in for the Coursework service behind `fetch`, for the library's unit tests: routes answer from plain
 * data, and every request is recorded.
 */
import type { ServiceConnection } from '../common/connection';
import { connectToService } from '../common/connection';

export type Route = (url: URL, init: RequestInit | undefined) => Response | Promise<Response>;

export interface FakeService {
  connection: ServiceConnection;
  /** Every request, as `METHOD path?query`, with the Authorization header. */
  requests: { call: string; authorization: string | undefined; body?: unknown }[];
}

export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** Serves `routes` (keyed by `METHOD /services/coursework/<path>`, query ignored) under hubPrefix `/hub/`. */
export function fakeService(routes: Record<string, Route>): FakeService {
  const requests: FakeService['requests'] = [];
  const fakeFetch = (async (input: string, init?: RequestInit) => {
    const url = new URL(input, 'http://hub.test');
    const method = init?.method ?? 'GET';
    const headers = (init?.headers ?? {}) as Record<string, string>;
    requests.push({
      call: `${method} ${url.pathname}${url.search}`,
      authorization: headers.Authorization,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    const route = routes[`${method} ${url.pathname}`];
    return route ? route(url, init) : json({ status: 404, message: `no route ${method} ${url.pathname}` }, 404);
  }) as unknown as typeof fetch;
  const options: Record<string, string> = { hubPrefix: '/hub/', token: 'page-token' };
  return { connection: connectToService((name) => options[name] ?? '', fakeFetch), requests };
}

/** A paginated list route, as the service pages: `offset`/`limit`, and the envelope when the client asks for it. */
export function paged(items: unknown[]): Route {
  return (url, init) => {
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 50);
    const page = items.slice(offset, offset + limit);
    const accept = ((init?.headers ?? {}) as Record<string, string>).Accept;
    if (accept !== 'application/jupyterhub-pagination+json') return json(page);
    const next = offset + limit < items.length ? { offset: offset + limit, limit, url: '' } : null;
    return json({ items: page, _pagination: { offset, limit, total: items.length, next } });
  };
}
