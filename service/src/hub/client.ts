/**
 * The few calls the service makes to JupyterHub's REST API.
 *
 * Every call has a time limit. A Hub that cannot be reached, times out or answers 5xx raises HubUnavailableError
 * (the HTTP layer turns it into 503); anything else unexpected raises HubError (502).
 */

/** The part of the Hub's user model (`GET /hub/api/user`) the service relies on. */
export interface HubIdentity {
  name: string;
  kind: 'user' | 'service';
  admin: boolean;
  groups: string[];
  /** The token's expanded effective scopes. */
  scopes: string[];
}

export class HubUnavailableError extends Error {
  override name = 'HubUnavailableError';
}

export class HubError extends Error {
  override name = 'HubError';
}

export interface HubClientOptions {
  /** `JUPYTERHUB_API_URL`, without trailing slash. */
  apiUrl: string;
  /** The service's own token, for calls made on its own behalf. */
  serviceToken: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export interface OAuthTokenAnswer {
  accessToken: string;
  expiresInSeconds: number | undefined;
}

export class HubClient {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: HubClientOptions) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** Resolves a caller's token; null when the Hub does not accept it (bad, expired or revoked). */
  async identify(token: string): Promise<HubIdentity | null> {
    const response = await this.request('/user', { headers: { Authorization: `token ${token}` } });
    // The Hub answers 403 (not 401) for a bad token; both mean "no such identity".
    if (response.status === 401 || response.status === 403) return null;
    const body = await this.json(response, 'GET /user');
    return parseIdentity(body);
  }

  /** Member names of a group, or null when the group does not exist. Uses the service's own token. */
  async groupMembers(group: string): Promise<string[] | null> {
    const response = await this.request(`/groups/${encodeURIComponent(group)}`, {
      headers: { Authorization: `token ${this.options.serviceToken}` },
    });
    if (response.status === 404) return null;
    const body = (await this.json(response, 'GET /groups/{name}')) as { users?: unknown };
    if (!Array.isArray(body.users) || !body.users.every((u) => typeof u === 'string')) {
      throw new HubError('the Hub answered GET /groups/{name} without a list of users (does the service hold read:groups?)');
    }
    return body.users as string[];
  }

  /** Exchanges an OAuth authorization code for an access token (form-encoded, client secret in the body). */
  async exchangeOAuthCode(params: { clientId: string; code: string; redirectUri: string }): Promise<OAuthTokenAnswer> {
    const form = new URLSearchParams({
      client_id: params.clientId,
      client_secret: this.options.serviceToken,
      grant_type: 'authorization_code',
      code: params.code,
      redirect_uri: params.redirectUri,
    });
    const response = await this.request('/oauth2/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    if (response.status === 400 || response.status === 401) {
      throw new OAuthCodeRejectedError(`the Hub refused the OAuth code (${response.status})`);
    }
    const body = (await this.json(response, 'POST /oauth2/token')) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string') throw new HubError('the Hub answered POST /oauth2/token without access_token');
    return {
      accessToken: body.access_token,
      expiresInSeconds: typeof body.expires_in === 'number' ? body.expires_in : undefined,
    };
  }

  private async request(apiPath: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetchImpl(this.options.apiUrl + apiPath, {
        ...init,
        signal: AbortSignal.timeout(this.options.timeoutMs),
        redirect: 'manual',
      });
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : 'connection failed';
      throw new HubUnavailableError(`JupyterHub is unreachable: ${reason}`);
    }
    if (response.status >= 500) {
      await response.body?.cancel();
      throw new HubUnavailableError(`JupyterHub answered ${response.status}`);
    }
    return response;
  }

  private async json(response: Response, what: string): Promise<unknown> {
    if (!response.ok) {
      await response.body?.cancel();
      throw new HubError(`the Hub answered ${what} with ${response.status}`);
    }
    try {
      return await response.json();
    } catch {
      throw new HubError(`the Hub answered ${what} with a body that is not JSON`);
    }
  }
}

export class OAuthCodeRejectedError extends Error {
  override name = 'OAuthCodeRejectedError';
}

function parseIdentity(body: unknown): HubIdentity {
  const model = body as Partial<Record<keyof HubIdentity, unknown>>;
  if (typeof model.name !== 'string' || (model.kind !== 'user' && model.kind !== 'service')) {
    throw new HubError('the Hub answered GET /user with an unexpected model');
  }
  const strings = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  return {
    name: model.name,
    kind: model.kind,
    admin: model.admin === true,
    groups: strings(model.groups),
    scopes: strings(model.scopes),
  };
}
