/**
 * Typed client of the Coursework REST API (see the service's `api/v1/openapi.json`), shared by the JupyterLab
 * extension, scripts and the service's own integration tests. It needs only `fetch`.
 */

export type Role = 'instructor' | 'student';

export interface Health {
  status: 'ok';
  version: string;
}

export interface Me {
  name: string;
  kind: 'user' | 'service';
  admin: boolean;
  groups: string[];
  roles: Role[];
  /** Operation ids (as in the OpenAPI document) the caller may use. */
  permissions: string[];
  course: { id: string; title: string };
}

export interface Student {
  name: string;
  homeExists: boolean;
}

export interface Pagination {
  offset: number;
  limit: number;
  total: number;
  next: { offset: number; limit: number; url: string } | null;
}

export interface Paginated<T> {
  items: T[];
  _pagination: Pagination;
}

export interface PageRequest {
  offset?: number;
  limit?: number;
}

/** An error answer of the service: `{status, message}`. */
export class CourseworkError extends Error {
  override name = 'CourseworkError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ClientOptions {
  /** URL of the service, ending with `/`, e.g. `http://127.0.0.1:8000/services/coursework/`. */
  baseUrl: string;
  /** A JupyterHub token; without one, the browser's login cookie is used (same origin). */
  token?: string;
  fetch?: typeof fetch;
}

export const PAGINATION_MEDIA_TYPE = 'application/jupyterhub-pagination+json';

/** The service's URL from JupyterLab's page config: `hubPrefix` is `<base>hub/`, the service `<base>services/<name>/`. */
export function serviceUrlFromHubPrefix(hubPrefix: string, serviceName = 'coursework'): string {
  const base = hubPrefix.replace(/hub\/?$/, '');
  return `${base.endsWith('/') ? base : `${base}/`}services/${serviceName}/`;
}

export class CourseworkClient {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    if (!options.baseUrl.endsWith('/')) throw new Error('baseUrl must end with /');
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  health(): Promise<Health> {
    return this.getJson('health');
  }

  me(): Promise<Me> {
    return this.getJson('api/v1/me');
  }

  /** One page of the course's students, as a plain list. */
  students(page: PageRequest = {}): Promise<Student[]> {
    return this.getJson(withPage('api/v1/students', page));
  }

  /** One page of the course's students with the pagination envelope (total, next). */
  studentsPage(page: PageRequest = {}): Promise<Paginated<Student>> {
    return this.getJson(withPage('api/v1/students', page), PAGINATION_MEDIA_TYPE);
  }

  /** Every student, following the pages. */
  async allStudents(pageSize?: number): Promise<Student[]> {
    const all: Student[] = [];
    let page: PageRequest | null = { offset: 0, limit: pageSize };
    while (page) {
      const answer: Paginated<Student> = await this.studentsPage(page);
      all.push(...answer.items);
      page = answer._pagination.next;
    }
    return all;
  }

  openApi(): Promise<Record<string, unknown>> {
    return this.getJson('api/v1/openapi.json');
  }

  private async getJson<T>(path: string, accept = 'application/json'): Promise<T> {
    const headers: Record<string, string> = { Accept: accept };
    if (this.options.token) headers.Authorization = `token ${this.options.token}`;
    const response = await this.fetchImpl(this.options.baseUrl + path, { headers, credentials: 'same-origin' });
    if (!response.ok) throw await errorOf(response);
    return (await response.json()) as T;
  }
}

function withPage(path: string, page: PageRequest): string {
  const query = new URLSearchParams();
  if (page.offset !== undefined) query.set('offset', String(page.offset));
  if (page.limit !== undefined) query.set('limit', String(page.limit));
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

async function errorOf(response: Response): Promise<CourseworkError> {
  let message = response.statusText || `HTTP ${response.status}`;
  try {
    const body = (await response.json()) as { message?: unknown };
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // not JSON (e.g. the proxy's own 503 page): keep the status text
  }
  return new CourseworkError(response.status, message);
}
