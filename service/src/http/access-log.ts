/** One log line per request: who asked for what, the answer and how long it took. Never query strings. */
import type { Middleware } from 'koa';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import type { AppState } from './state';

export function accessLog(log: Logger, metrics?: Pick<Metrics, 'httpRequests' | 'httpDuration'>): Middleware<AppState> {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const status = ctx.status;
      // The route's operation id (bounded), never the path (unbounded: every student and file).
      const operation = (ctx as { _matchedRouteName?: string })._matchedRouteName ?? 'unmatched';
      metrics?.httpRequests.inc({ operation, method: ctx.method, status: String(status) });
      metrics?.httpDuration.observe({ operation }, ms / 1000);
      const entry = {
        method: ctx.method,
        path: ctx.path,
        status,
        ms: Math.round(ms * 10) / 10,
        user: ctx.state.caller?.identity.name,
      };
      if (status >= 500) log.error(entry, 'request');
      else if (status >= 400) log.warn(entry, 'request');
      else log.info(entry, 'request');
    }
  };
}
