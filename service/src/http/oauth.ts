/**
 * Browser login through the Hub's OAuth provider, as JupyterHub's own `HubOAuth` does it:
 * authorize (with a random `state` kept in a signed cookie) → `oauth_callback` (state checked, code exchanged for
 * a token with the service's secret) → the token kept in the service's own signed, HttpOnly cookie, and an XSRF
 * cookie that unsafe cookie-authenticated requests must echo in the `X-XSRFToken` header.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import type { Config } from '../config';
import { type HubClient, OAuthCodeRejectedError } from '../hub/client';
import { ApiError } from './errors';

export const COOKIE = {
  session: 'coursework-session',
  state: 'coursework-oauth-state',
  xsrf: 'coursework-xsrf',
} as const;

export const XSRF_HEADER = 'x-xsrftoken';

const STATE_MAX_AGE_MS = 10 * 60 * 1000;
const DEFAULT_SESSION_SECONDS = 24 * 60 * 60;

export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export class HubOAuth {
  constructor(
    private readonly hubConfig: Config['hub'],
    private readonly hub: HubClient,
  ) {}

  /** The login cookie's token, if the browser has a valid (signed) one. */
  sessionToken(ctx: Context): string | undefined {
    return ctx.cookies.get(COOKIE.session, { signed: true }) || undefined;
  }

  clearSession(ctx: Context): void {
    for (const name of [COOKIE.session, COOKIE.xsrf]) {
      ctx.cookies.set(name, null, { path: this.hubConfig.servicePrefix, signed: name === COOKIE.session });
    }
  }

  /** True when an unsafe request carries the XSRF token that only pages of this origin can read. */
  xsrfMatches(ctx: Context): boolean {
    const cookie = ctx.cookies.get(COOKIE.xsrf);
    const header = ctx.get(XSRF_HEADER);
    return Boolean(cookie && header && sameSecret(cookie, header));
  }

  /** Sends the browser to the Hub's authorize endpoint, to come back to `nextPath` once logged in. */
  redirectToLogin(ctx: Context, nextPath: string): void {
    const state = Buffer.from(JSON.stringify({ id: randomBytes(16).toString('base64url'), next: this.safeNext(nextPath) })).toString(
      'base64url',
    );
    ctx.cookies.set(COOKIE.state, state, this.cookieOptions(ctx, STATE_MAX_AGE_MS));
    const query = new URLSearchParams({
      client_id: this.hubConfig.clientId,
      redirect_uri: this.hubConfig.oauthCallbackUrl,
      response_type: 'code',
      state,
    });
    ctx.redirect(`${this.hubConfig.baseUrl}hub/api/oauth2/authorize?${query.toString()}`);
  }

  /** The `oauth_callback` route: checks state, exchanges the code, sets the login cookies, goes on to `next`. */
  async callback(ctx: Context): Promise<void> {
    const code = typeof ctx.query.code === 'string' ? ctx.query.code : '';
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    const expected = ctx.cookies.get(COOKIE.state, { signed: true });
    if (!code || !state) throw new ApiError(400, 'OAuth callback without code or state');
    if (!expected || !sameSecret(expected, state)) {
      throw new ApiError(403, 'OAuth state mismatch: start the login again from the service page');
    }
    let answer;
    try {
      answer = await this.hub.exchangeOAuthCode({
        clientId: this.hubConfig.clientId,
        code,
        redirectUri: this.hubConfig.oauthCallbackUrl,
      });
    } catch (error) {
      if (error instanceof OAuthCodeRejectedError) throw new ApiError(403, 'The Hub refused the login code; log in again');
      throw error;
    }
    const maxAge = (answer.expiresInSeconds ?? DEFAULT_SESSION_SECONDS) * 1000;
    ctx.cookies.set(COOKIE.state, null, { path: this.hubConfig.servicePrefix, signed: true });
    ctx.cookies.set(COOKIE.session, answer.accessToken, this.cookieOptions(ctx, maxAge));
    ctx.cookies.set(COOKIE.xsrf, randomBytes(24).toString('base64url'), {
      ...this.cookieOptions(ctx, maxAge),
      httpOnly: false,
      signed: false,
    });
    ctx.redirect(this.nextFromState(state));
  }

  private cookieOptions(ctx: Context, maxAge: number) {
    return {
      path: this.hubConfig.servicePrefix,
      httpOnly: true,
      signed: true,
      sameSite: 'lax' as const,
      secure: ctx.secure,
      maxAge,
    };
  }

  private nextFromState(state: string): string {
    try {
      const decoded = JSON.parse(Buffer.from(state, 'base64url').toString('utf8')) as { next?: unknown };
      if (typeof decoded.next === 'string') return this.safeNext(decoded.next);
    } catch {
      // fall through to the service's front page
    }
    return this.hubConfig.servicePrefix;
  }

  /** Only paths inside the service: never another host (`//evil`, `https://...`), never outside the prefix. */
  private safeNext(next: string): string {
    const prefix = this.hubConfig.servicePrefix;
    const isInside = next.startsWith(prefix) && !next.includes('\\') && !/[\r\n]/.test(next);
    return isInside && !next.slice(prefix.length).startsWith('/') ? next : prefix;
  }
}
