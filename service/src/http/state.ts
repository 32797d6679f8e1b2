import type { Caller } from '../access/policy';

/** What the authentication middleware leaves on `ctx.state` for the routes. */
export interface AppState {
  caller?: Caller;
  /** How the caller authenticated: an Authorization header or the service's login cookie. */
  authVia?: 'header' | 'cookie';
  /** Credentials were sent but the Hub does not accept them (or a download link is not, or no longer, valid). */
  credentialsRejected?: boolean | 'link';
}
