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

export type StudentStatus = 'pending' | 'taken' | 'exists' | 'no-home' | 'not-a-student' | 'failed';

export interface StudentOutcome {
  status: StudentStatus;
  files?: number;
  bytes?: number;
  skipped?: number;
  error?: string;
}

export interface Job {
  id: string;
  kind: 'snapshot';
  state: 'queued' | 'running' | 'done';
  name: string;
  includeHidden: boolean;
  total: number;
  done: number;
  bytes: number;
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  students: Record<string, StudentOutcome>;
}

export interface SnapshotSummary {
  student: string;
  name: string;
  takenAt: string;
  takenBy: string;
  files: number;
  bytes: number;
  includeHidden: boolean;
  manifestSha256: string;
}

export interface SnapshotDetail extends SnapshotSummary {
  skipped: { path: string; reason: string }[];
}

export interface ManifestEntry {
  path: string;
  type: 'file' | 'symlink';
  size: number;
  mode: number;
  mtime: string;
  sha256: string | null;
}

/** A released feedback file, as its student sees it. */
export interface FeedbackFile {
  path: string;
  size: number;
  sha256: string;
  releasedAt: string;
}

export interface MyFeedbackAssignment {
  assignment: string;
  /** When the latest of its files was released. */
  releasedAt: string;
  files: FeedbackFile[];
}

export interface MyFeedback {
  items: MyFeedbackAssignment[];
}

export interface SnapshotRequest {
  name: string;
  students?: string[];
  includeHidden?: boolean;
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

  /** Starts (or joins) a snapshot job; see `waitForJob`. */
  snapshot(request: SnapshotRequest): Promise<{ job: Job; joined: boolean }> {
    return this.send('POST', 'api/v1/snapshots', request);
  }

  job(id: string): Promise<Job> {
    return this.getJson(`api/v1/jobs/${encodeURIComponent(id)}`);
  }

  /** Polls a job until it is done; `onProgress` sees every state read. */
  async waitForJob(id: string, options: { intervalMs?: number; timeoutMs?: number; onProgress?: (job: Job) => void } = {}): Promise<Job> {
    const deadline = Date.now() + (options.timeoutMs ?? 10 * 60 * 1000);
    for (;;) {
      const job = await this.job(id);
      options.onProgress?.(job);
      if (job.state === 'done') return job;
      if (Date.now() > deadline) throw new CourseworkError(408, `job ${id} is not done yet`);
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
    }
  }

  studentSnapshots(student: string, page: PageRequest = {}): Promise<SnapshotSummary[]> {
    return this.getJson(withPage(`api/v1/students/${encodeURIComponent(student)}/snapshots`, page));
  }

  studentSnapshot(student: string, snapshot: string): Promise<SnapshotDetail> {
    return this.getJson(this.snapshotPath(student, snapshot));
  }

  snapshotFiles(student: string, snapshot: string, page: PageRequest = {}): Promise<ManifestEntry[]> {
    return this.getJson(withPage(`${this.snapshotPath(student, snapshot)}/files`, page));
  }

  /** URL of one file of a snapshot (for downloads and `fetch`). */
  snapshotFileUrl(student: string, snapshot: string, filePath: string): string {
    const encoded = filePath.split('/').map(encodeURIComponent).join('/');
    return `${this.options.baseUrl}${this.snapshotPath(student, snapshot)}/files/${encoded}`;
  }

  snapshotZipUrl(student: string, snapshot: string): string {
    return `${this.options.baseUrl}${this.snapshotPath(student, snapshot)}/zip`;
  }

  courseZipUrl(snapshot: string, students?: string[]): string {
    const query = students ? `?students=${students.map(encodeURIComponent).join(',')}` : '';
    return `${this.options.baseUrl}api/v1/snapshots/${encodeURIComponent(snapshot)}/zip${query}`;
  }

  deleteSnapshot(student: string, snapshot: string): Promise<void> {
    return this.send('DELETE', this.snapshotPath(student, snapshot));
  }

  /** The caller's released feedback (students). */
  myFeedback(): Promise<MyFeedback> {
    return this.getJson('api/v1/me/feedback');
  }

  /** URL of one of the caller's feedback files (each segment encoded, `/` kept). */
  myFeedbackFileUrl(assignment: string, filePath: string): string {
    return `${this.options.baseUrl}api/v1/me/feedback/${encodeURIComponent(assignment)}/files/${filePath.split('/').map(encodeURIComponent).join('/')}`;
  }

  private snapshotPath(student: string, snapshot: string): string {
    return `api/v1/students/${encodeURIComponent(student)}/snapshots/${encodeURIComponent(snapshot)}`;
  }

  private headers(accept = 'application/json'): Record<string, string> {
    const headers: Record<string, string> = { Accept: accept };
    if (this.options.token) headers.Authorization = `token ${this.options.token}`;
    return headers;
  }

  private async getJson<T>(path: string, accept = 'application/json'): Promise<T> {
    const response = await this.fetchImpl(this.options.baseUrl + path, { headers: this.headers(accept), credentials: 'same-origin' });
    if (!response.ok) throw await errorOf(response);
    return (await response.json()) as T;
  }

  private async send<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const headers = this.headers();
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await this.fetchImpl(this.options.baseUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
    if (!response.ok) throw await errorOf(response);
    return (response.status === 204 ? undefined : await response.json()) as T;
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
