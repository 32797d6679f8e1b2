/**
 * How JupyterLab reaches the Coursework service: its URL from the Hub's page config, and the page's own token,
 * which JupyterHub scopes to the user's Coursework rights (jupyterhub_config.d/coursework.py).
 */
import { CourseworkClient, CourseworkError, errorOf, serviceUrlFromHubPrefix } from '@coursework/client';

/** Reads one PageConfig option (PageConfig.getOption in JupyterLab; a stub in tests). */
export type PageOption = (name: string) => string;

export interface ServiceConnection {
  /** The service's URL, ending with `/`, e.g. `/services/coursework/`. */
  readonly baseUrl: string;
  readonly client: CourseworkClient;
  /** An authenticated GET of one of the service's URLs (file bytes, zips); errors become CourseworkError. */
  fetchBlob(url: string): Promise<Blob>;
}

export const SERVICE_NAME = 'coursework';

/** Thrown when JupyterLab does not run under a JupyterHub, so there is no service to find. */
export class NoHubError extends Error {
  override name = 'NoHubError';
  constructor() {
    super('JupyterLab does not run under JupyterHub (no hubPrefix in its page config), so Coursework is unavailable');
  }
}

/** The service's URL from the page's `hubPrefix` (`<base>hub/` → `<base>services/coursework/`). */
export function discoverServiceUrl(getOption: PageOption, serviceName = SERVICE_NAME): string {
  const hubPrefix = getOption('hubPrefix');
  if (!hubPrefix) throw new NoHubError();
  return serviceUrlFromHubPrefix(hubPrefix, serviceName);
}

export function connectToService(getOption: PageOption, fetchImpl: typeof fetch = (input, init) => fetch(input, init)): ServiceConnection {
  const baseUrl = discoverServiceUrl(getOption);
  const token = getOption('token') || undefined;
  const client = new CourseworkClient({ baseUrl, token, fetch: fetchImpl });
  return {
    baseUrl,
    client,
    async fetchBlob(url) {
      const headers: Record<string, string> = token ? { Authorization: `token ${token}` } : {};
      const response = await fetchImpl(url, { headers, credentials: 'same-origin' });
      if (!response.ok) throw await errorOf(response);
      return response.blob();
    },
  };
}

/** A message for people, from whatever a call threw. */
export function describeError(error: unknown): string {
  if (error instanceof CourseworkError) return `${error.message} (HTTP ${error.status})`;
  if (error instanceof Error) return error.message;
  return String(error);
}
