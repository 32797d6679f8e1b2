/**
 * How JupyterLab reaches the Coursework service: its URL from the Hub's page config, and the page's own token,
 * which JupyterHub scopes to the user's Coursework rights (jupyterhub_config.d/coursework.py).
 */
import { CourseworkClient, CourseworkError, errorOf, serviceUrlFromHubPrefix } from '@coursework/client';
import { type ISignal, Signal } from '@lumino/signaling';

/** Reads one PageConfig option (PageConfig.getOption in JupyterLab; a stub in tests). */
export type PageOption = (name: string) => string;

export interface ServiceConnection {
  /** The service's URL, ending with `/`, e.g. `/services/coursework/`. */
  readonly baseUrl: string;
  /** The client for the course being worked on (`useCourse`): what the panel, the drives and the commands call. */
  readonly client: CourseworkClient;
  /** The course being worked on; undefined: the default course. */
  readonly course: string | undefined;
  /** Works on another course from now on (the instructor's course switcher). */
  useCourse(course: string | undefined): void;
  readonly courseChanged: ISignal<ServiceConnection, string | undefined>;
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
  const anyCourse = new CourseworkClient({ baseUrl, token, fetch: fetchImpl });
  let course: string | undefined;
  let client = anyCourse;
  const connection: ServiceConnection = {
    baseUrl,
    get client() {
      return client;
    },
    get course() {
      return course;
    },
    useCourse(next) {
      if (next === course) return;
      course = next;
      client = next === undefined ? anyCourse : anyCourse.forCourse(next);
      changed.emit(next);
    },
    get courseChanged() {
      return changed;
    },
    async fetchBlob(url) {
      const headers: Record<string, string> = token ? { Authorization: `token ${token}` } : {};
      const response = await fetchImpl(url, { headers, credentials: 'same-origin' });
      if (!response.ok) throw await errorOf(response);
      return response.blob();
    },
  };
  const changed = new Signal<ServiceConnection, string | undefined>(connection);
  return connection;
}

/** A message for people, from whatever a call threw. */
export function describeError(error: unknown): string {
  if (error instanceof CourseworkError) return `${error.message} (HTTP ${error.status})`;
  if (error instanceof Error) return error.message;
  return String(error);
}
