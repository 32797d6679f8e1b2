/** One log line per request: who asked for what, the answer and how long it took. Never query strings. */
import type { Middleware } from 'koa';
import type { Logger } from '../log';
import type { AppState } from './state';

export function accessLog(log: Logger): Middleware<AppState> {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const status = ctx.status;
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
