/** The typed client of the Coursework REST API. It needs only `fetch`. */
import {
  type Assignment,
  type AssignmentChange,
  type AssignmentInput,
  type AssignmentStatus,
  type AuditEntry,
  type AuditFilter,
  type BulkReleaseReport,
  type CheckReport,
  type ClassChanges,
  type ClassStatus,
  type Course,
  type CourseInput,
  type FeedbackAssignmentSummary,
  type Health,
  type Job,
  jobEnded,
  type ManifestEntry,
  type Me,
  type MyAssignment,
  type MyFeedback,
  type PageRequest,
  type Role,
  type RosterEntry,
  type RosterReport,
  type Paginated,
  type ReleaseOptions,
  type SnapshotDetail,
  type SnapshotRequest,
  type SnapshotSummary,
  type Student,
  type StudentFeedback,
  type StudentTimeline,
  type TriggerResult,
} from './wire';

/** Every item of a paginated list, reading its pages one after another as the service links them. */
async function everyPage<T>(read: (page: PageRequest) => Promise<Paginated<T>>, pageSize?: number): Promise<T[]> {
  const all: T[] = [];
  let page: PageRequest | null = { offset: 0, limit: pageSize };
  while (page) {
    const answer: Paginated<T> = await read(page);
    all.push(...answer.items);
    page = answer._pagination.next;
  }
  return all;
}

/** What a balancer or proxy answers when the replica behind it is gone or not yet replaced. */
const GATEWAY_ERRORS = new Set([502, 503, 504]);

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
  /** The course whose resources the calls are about; without one, the default course (the one the settings name). */
  course?: string;
}

/** API paths not about one course's resources: the caller's own, the courses themselves, the whole service. */
const NOT_IN_A_COURSE = /^api\/v1\/(?:me(?:\/|$)|courses(?:\/|$)|openapi\.json$|download-links$|check$)/;

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

  /** The same client for another course's resources. */
  forCourse(course: string): CourseworkClient {
    return new CourseworkClient({ ...this.options, course });
  }

  /** The full URL of an API path, under `courses/{course}/` when the client is bound to a course. */
  private url(path: string): string {
    const { baseUrl, course } = this.options;
    if (course === undefined || !path.startsWith('api/v1/') || NOT_IN_A_COURSE.test(path)) return baseUrl + path;
    return `${baseUrl}api/v1/courses/${encodeURIComponent(course)}/${path.slice('api/v1/'.length)}`;
  }

  health(): Promise<Health> {
    return this.getJson('health');
  }

  me(): Promise<Me> {
    return this.getJson('api/v1/me');
  }

  /** One page of the course's students, as a plain list. */
  /** The courses the caller has a role in (course admins: every course). */
  courses(): Promise<Course[]> {
    return this.getJson('api/v1/courses');
  }

  course(id: string): Promise<Course> {
    return this.getJson(`api/v1/courses/${encodeURIComponent(id)}`);
  }

  /** Creates a course (Hub admins and holders of custom:coursework:admin); the caller becomes its instructor. */
  createCourse(input: CourseInput): Promise<Course> {
    return this.send('POST', 'api/v1/courses', input);
  }

  updateCourse(id: string, change: Omit<CourseInput, 'id'>): Promise<Course> {
    return this.send('PATCH', `api/v1/courses/${encodeURIComponent(id)}`, change);
  }

  /** Deletes a course; one that holds data only with `confirm` set to its id. */
  deleteCourse(id: string, confirm?: string): Promise<void> {
    const query = confirm === undefined ? '' : `?confirm=${encodeURIComponent(confirm)}`;
    return this.send('DELETE', `api/v1/courses/${encodeURIComponent(id)}${query}`);
  }

  /** Everyone with a role in the course, from its Hub groups and the roster kept by Coursework. */
  roster(course: string): Promise<RosterEntry[]> {
    return this.getJson(`api/v1/courses/${encodeURIComponent(course)}/roster`);
  }

  /** Adds a user to the roster kept by Coursework, or changes their role. */
  putRosterMember(course: string, user: string, role: Role = 'student'): Promise<RosterEntry> {
    return this.send('PUT', `api/v1/courses/${encodeURIComponent(course)}/roster/${encodeURIComponent(user)}`, { role });
  }

  removeRosterMember(course: string, user: string): Promise<void> {
    return this.send('DELETE', `api/v1/courses/${encodeURIComponent(course)}/roster/${encodeURIComponent(user)}`);
  }

  /** Adds or changes many members: CSV text (`user[,role]` per line) or a list; a status for every row. */
  async addRosterMembers(course: string, members: string | { user: string; role?: Role }[]): Promise<RosterReport> {
    const path = `api/v1/courses/${encodeURIComponent(course)}/roster`;
    if (typeof members !== 'string') return this.send('POST', path, { members });
    return this.post(path, members, 'text/csv');
  }

  students(page: PageRequest = {}): Promise<Student[]> {
    return this.getJson(withPage('api/v1/students', page));
  }

  /** One page of the course's students with the pagination envelope (total, next). */
  studentsPage(page: PageRequest = {}): Promise<Paginated<Student>> {
    return this.getJson(withPage('api/v1/students', page), PAGINATION_MEDIA_TYPE);
  }

  /** Every student, following the pages. */
  allStudents(pageSize?: number): Promise<Student[]> {
    return everyPage((page) => this.studentsPage(page), pageSize);
  }

  /** A page of every student's snapshots, by student and newest first. */
  snapshotsPage(page: PageRequest = {}): Promise<Paginated<SnapshotSummary>> {
    return this.getJson(withPage('api/v1/snapshots', page), PAGINATION_MEDIA_TYPE);
  }

  /** Every student's snapshots, following the pages. */
  allSnapshots(pageSize?: number): Promise<SnapshotSummary[]> {
    return everyPage((page) => this.snapshotsPage(page), pageSize);
  }

  openApi(): Promise<Record<string, unknown>> {
    return this.getJson('api/v1/openapi.json');
  }

  /** Starts (or joins) a snapshot job; see `waitForJob`. */
  snapshot(request: SnapshotRequest): Promise<{ job: Job; joined: boolean }> {
    return this.send('POST', 'api/v1/snapshots', request);
  }

  /** A job's state; with `waitSeconds` (up to 60), once it is done or that long has passed, whichever is first. */
  job(id: string, options: { waitSeconds?: number } = {}): Promise<Job> {
    const wait = options.waitSeconds ? `?wait=${options.waitSeconds}` : '';
    return this.getJson(`api/v1/jobs/${encodeURIComponent(id)}${wait}`);
  }

  /**
   * Waits until a job has ended (done, or failed: see `error`). Without `onProgress`, the service answers as the job ends (a long poll, in reads of
   * up to 30 s); with it, the job is read every `intervalMs`, and `onProgress` sees every state read.
   */
  async waitForJob(id: string, options: { intervalMs?: number; timeoutMs?: number; onProgress?: (job: Job) => void } = {}): Promise<Job> {
    const deadline = Date.now() + (options.timeoutMs ?? 10 * 60 * 1000);
    for (;;) {
      const waitSeconds = options.onProgress ? 0 : Math.max(0, Math.min(30, Math.floor((deadline - Date.now()) / 1000)));
      let job: Job;
      try {
        job = await this.job(id, { waitSeconds });
      } catch (error) {
        // A balancer's or proxy's own answer while a replica fails over: the job goes on on another; ask again.
        if (!(error instanceof CourseworkError) || !GATEWAY_ERRORS.has(error.status) || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
        continue;
      }
      options.onProgress?.(job);
      if (jobEnded(job)) return job;
      if (Date.now() > deadline) throw new CourseworkError(408, `job ${id} is not done yet`);
      if (waitSeconds === 0) await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
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
    return this.url(`${this.snapshotPath(student, snapshot)}/files/${encodePath(filePath)}`);
  }

  snapshotZipUrl(student: string, snapshot: string): string {
    return this.url(`${this.snapshotPath(student, snapshot)}/zip`);
  }

  courseZipUrl(snapshot: string, students?: string[]): string {
    const query = students ? `?students=${students.map(encodeURIComponent).join(',')}` : '';
    return this.url(`api/v1/snapshots/${encodeURIComponent(snapshot)}/zip${query}`);
  }

  deleteSnapshot(student: string, snapshot: string): Promise<void> {
    return this.send('DELETE', this.snapshotPath(student, snapshot));
  }

  /**
   * A one-minute link to a download URL of this client (`snapshotZipUrl(...)` and the like) that needs no token:
   * for a browser to fetch and save a large file itself. Answers the link's path (absolute on the Hub's origin).
   */
  async downloadLink(url: string): Promise<string> {
    if (!url.startsWith(this.options.baseUrl)) throw new Error('not a URL of this service');
    const { url: link } = await this.send<{ url: string; expiresAt: string }>('POST', 'api/v1/download-links', {
      path: url.slice(this.options.baseUrl.length),
    });
    return link;
  }

  /**
   * Checks the blob store (instructors): every blob's length, the hashes of `readDataSubset` (`all`, `none`, `10%`,
   * `1/5`), every blob a snapshot or feedback file needs; repairs from homes unless `repair` is false.
   */
  checkStore(options: { readDataSubset?: string; repair?: boolean } = {}): Promise<CheckReport> {
    return this.send('POST', 'api/v1/check', options);
  }

  /** The audit log, newest first (instructors). */
  audit(filter: AuditFilter = {}, page: PageRequest = {}): Promise<AuditEntry[]> {
    const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][]).toString();
    return this.getJson(withPage(`api/v1/audit${query ? `?${query}` : ''}`, page));
  }

  /** The caller's released feedback (students). */
  myFeedback(): Promise<MyFeedback> {
    return this.getJson('api/v1/me/feedback');
  }

  /** One of the caller's released files; `course` is the assignment's (default: the default course). */
  myFeedbackFileUrl(assignment: string, filePath: string, course?: string): string {
    const query = course === undefined ? '' : `?course=${encodeURIComponent(course)}`;
    return this.url(`api/v1/me/feedback/${encodeURIComponent(assignment)}/files/${encodePath(filePath)}${query}`);
  }

  studentFeedbackList(student: string): Promise<FeedbackAssignmentSummary[]> {
    return this.getJson(`api/v1/students/${encodeURIComponent(student)}/feedback`);
  }

  studentFeedback(student: string, assignment: string): Promise<StudentFeedback> {
    return this.getJson(this.feedbackPath(student, assignment));
  }

  /** Releases files to one student: `{path: bytes}`. */
  async releaseFeedback(
    student: string,
    assignment: string,
    files: Record<string, Blob | Uint8Array | string>,
    options: ReleaseOptions = {},
  ): Promise<StudentFeedback> {
    const form = new FormData();
    for (const [filePath, content] of Object.entries(files)) {
      const blob = content instanceof Blob ? content : new Blob([content as BlobPart]);
      form.append('files', blob, filePath);
    }
    return this.sendForm(`${this.feedbackPath(student, assignment)}${releaseQuery(options)}`, form);
  }

  /** Releases a zip holding one folder per student (nbgrader's `feedback/<student>/<assignment>/` or `<student>/`). */
  releaseFeedbackZip(assignment: string, zip: Blob | Uint8Array, options: ReleaseOptions = {}): Promise<BulkReleaseReport> {
    const form = new FormData();
    form.append('zip', zip instanceof Blob ? zip : new Blob([zip as BlobPart]), `${assignment}.zip`);
    return this.sendForm(`api/v1/feedback/${encodeURIComponent(assignment)}${releaseQuery(options)}`, form);
  }

  /** Moves the release time of files not yet released (of one student, or of everyone when `student` is absent). */
  rescheduleFeedback(assignment: string, releaseAt: string, student?: string): Promise<{ rescheduled: number }> {
    const path = student ? this.feedbackPath(student, assignment) : `api/v1/feedback/${encodeURIComponent(assignment)}`;
    return this.send('PATCH', path, { releaseAt });
  }

  /** Withdraws a student's feedback for an assignment, or one file of it (kept in the history). */
  withdrawFeedback(student: string, assignment: string, filePath?: string): Promise<void> {
    const path = this.feedbackPath(student, assignment);
    return this.send('DELETE', filePath === undefined ? path : `${path}/files/${encodePath(filePath)}`);
  }

  feedbackFileUrl(student: string, assignment: string, filePath: string): string {
    return this.url(`${this.feedbackPath(student, assignment)}/files/${encodePath(filePath)}`);
  }

  assignments(): Promise<Assignment[]> {
    return this.getJson('api/v1/assignments');
  }

  assignment(id: string): Promise<Assignment> {
    return this.getJson(`api/v1/assignments/${encodeURIComponent(id)}`);
  }

  createAssignment(input: AssignmentInput): Promise<Assignment> {
    return this.send('POST', 'api/v1/assignments', input);
  }

  updateAssignment(id: string, change: AssignmentChange): Promise<Assignment> {
    return this.send('PATCH', `api/v1/assignments/${encodeURIComponent(id)}`, change);
  }

  deleteAssignment(id: string): Promise<void> {
    return this.send('DELETE', `api/v1/assignments/${encodeURIComponent(id)}`);
  }

  grantExtension(id: string, student: string, dueAt: string): Promise<Assignment> {
    return this.send('PUT', `api/v1/assignments/${encodeURIComponent(id)}/extensions/${encodeURIComponent(student)}`, { dueAt });
  }

  revokeExtension(id: string, student: string): Promise<void> {
    return this.send('DELETE', `api/v1/assignments/${encodeURIComponent(id)}/extensions/${encodeURIComponent(student)}`);
  }

  assignmentStatus(id: string): Promise<AssignmentStatus> {
    return this.getJson(`api/v1/assignments/${encodeURIComponent(id)}/status`);
  }

  assignmentStatusCsvUrl(id: string): string {
    return this.url(`api/v1/assignments/${encodeURIComponent(id)}/status?format=csv`);
  }

  /**
   * The whole class at once: every assignment's status for every student (`status[i][j]`: student i, assignment j);
   * or for some students only.
   */
  classStatus(students?: readonly string[]): Promise<ClassStatus> {
    return this.getJson(students ? `api/v1/class?students=${students.map(encodeURIComponent).join(',')}` : 'api/v1/class');
  }

  /**
   * What changed in the course after `after` (a cursor from an earlier answer), waiting up to `waitSeconds` for
   * something to; without `after`, the cursor to start from.
   */
  classChanges(after?: number, waitSeconds = 0): Promise<ClassChanges> {
    const query = after === undefined ? '' : `?after=${after}&wait=${waitSeconds}`;
    return this.getJson(`api/v1/changes${query}`);
  }

  /** A student's history on one time axis: snapshots, captures, submissions, feedback, extensions; their due times. */
  studentTimeline(student: string): Promise<StudentTimeline> {
    return this.getJson(`api/v1/students/${encodeURIComponent(student)}/timeline`);
  }

  /** Takes the deadline capture now (an LMS calls this at its deadline); idempotent per student. */
  triggerAssignment(id: string, students?: string[]): Promise<TriggerResult> {
    return this.send('POST', `api/v1/assignments/${encodeURIComponent(id)}/trigger`, students ? { students } : {});
  }

  /** The caller's assignments, due times (with extension) and receipts (students). */
  myAssignments(): Promise<MyAssignment[]> {
    return this.getJson('api/v1/me/assignments');
  }

  private feedbackPath(student: string, assignment: string): string {
    return `api/v1/students/${encodeURIComponent(student)}/feedback/${encodeURIComponent(assignment)}`;
  }

  private sendForm<T>(path: string, form: FormData): Promise<T> {
    return this.post(path, form);
  }

  /** POSTs a body that is not JSON: a form (its content type set by fetch) or text of `contentType`. */
  private async post<T>(path: string, body: FormData | string, contentType?: string): Promise<T> {
    const headers = contentType ? { ...this.headers(), 'Content-Type': contentType } : this.headers();
    const response = await this.fetchImpl(this.url(path), { method: 'POST', headers, body, credentials: 'same-origin' });
    if (!response.ok) throw await errorOf(response);
    return (await response.json()) as T;
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
    const response = await this.fetchImpl(this.url(path), { headers: this.headers(accept), credentials: 'same-origin' });
    if (!response.ok) throw await errorOf(response);
    return (await response.json()) as T;
  }

  private async send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const headers = this.headers();
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await this.fetchImpl(this.url(path), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
    if (!response.ok) throw await errorOf(response);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
}

/** Each component URL-encoded, the `/` between them kept. */
function encodePath(filePath: string): string {
  return filePath.split('/').map(encodeURIComponent).join('/');
}

function releaseQuery(options: ReleaseOptions): string {
  const query = new URLSearchParams();
  if (options.releaseAt !== undefined) query.set('releaseAt', options.releaseAt);
  if (options.deliver !== undefined) query.set('deliver', String(options.deliver));
  const text = query.toString();
  return text ? `?${text}` : '';
}

function withPage(path: string, page: PageRequest): string {
  const query = new URLSearchParams();
  if (page.offset !== undefined) query.set('offset', String(page.offset));
  if (page.limit !== undefined) query.set('limit', String(page.limit));
  const text = query.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}

/** The service's error answer as a CourseworkError (its `message`, else the status text). */
export async function errorOf(response: Response): Promise<CourseworkError> {
  let message = response.statusText || `HTTP ${response.status}`;
  try {
    const body = (await response.json()) as { message?: unknown };
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // not JSON (e.g. the proxy's own 503 page): keep the status text
  }
  return new CourseworkError(response.status, message);
}
