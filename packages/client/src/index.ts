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
  /** When the student's latest live snapshot was taken; null before the first. */
  latestSnapshotAt: string | null;
}

/** `not-taken`: left out on purpose (the data disk is low on space); `error` says why. */
export type StudentStatus = 'pending' | 'taken' | 'exists' | 'no-home' | 'not-a-student' | 'failed' | 'not-taken';

export interface StudentOutcome {
  status: StudentStatus;
  files?: number;
  bytes?: number;
  skipped?: number;
  error?: string;
}

/** Whether a job has ended, done or failed: it changes no more. */
export function jobEnded(job: Pick<Job, 'state'>): boolean {
  return job.state === 'done' || job.state === 'failed';
}

export interface Job {
  id: string;
  kind: 'snapshot';
  /** `failed`: the job could not go on (its outcomes could not be recorded); `error` says why. */
  state: 'queued' | 'running' | 'done' | 'failed';
  error?: string;
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
  /** Files whose stored bytes were found damaged and could not be repaired (absent when the snapshot is whole). */
  damaged?: string[];
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
  /** `changed-while-reading`: the file kept changing while it was read; what is kept is one complete read of it. */
  note?: 'changed-while-reading';
}

export interface CheckReport {
  /** Nothing broken, or everything broken repaired. */
  ok: boolean;
  blobs: number;
  hashed: number;
  bytesHashed: number;
  broken: {
    sha256: string;
    problem: 'missing' | 'no-header' | 'short' | 'long' | 'wrong-hash' | 'unreadable';
    repairedFrom?: { student: string; path: string };
    neededBy: string[];
  }[];
  damaged: { snapshots: number; feedbackFiles: number };
  hashedUpTo: string | null;
}

export interface SnapshotRequest {
  name: string;
  students?: string[];
  includeHidden?: boolean;
}

export interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  target: string;
  detail: Record<string, unknown>;
}

export interface AuditFilter {
  /** One action (`feedback.released`) or a family (`feedback.`). */
  action?: string;
  actor?: string;
  /** Targets starting with this, e.g. `student1/`. */
  target?: string;
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

/** What writing a feedback file into the student's home did. */
export interface HomeDelivery {
  /** `waiting`: not written yet (the home does not exist yet); tried again. */
  status: 'written' | 'unchanged' | 'kept-both' | 'exists' | 'refused' | 'failed' | 'waiting';
  /** Where the file went, relative to the home. */
  path?: string;
  reason?: string;
  at: string;
}

/** One released version of a feedback file, as instructors see it. */
export interface FeedbackVersion {
  path: string;
  size: number;
  sha256: string;
  releaseAt: string;
  /** Whether the student can see it now. */
  released: boolean;
  releasedBy: string;
  createdAt: string;
  replacedAt: string | null;
  withdrawnAt: string | null;
  withdrawnBy: string | null;
  /** Target in the student's home, when the release is also written there. */
  homePath: string | null;
  delivery: HomeDelivery | null;
}

export interface StudentFeedback {
  student: string;
  assignment: string;
  /** The current version of each file. */
  files: FeedbackVersion[];
  /** Earlier versions and withdrawn files, newest first. */
  history: FeedbackVersion[];
}

export interface FeedbackAssignmentSummary {
  assignment: string;
  files: number;
  bytes: number;
  released: number;
  pending: number;
  /** The earliest release time still to come, if any. */
  nextReleaseAt: string | null;
}

export interface ReleaseOptions {
  /** ISO time from which the student sees the files; now when absent. */
  releaseAt?: string;
  /** Also write the files into the student's home (default: the service's setting). */
  deliver?: boolean;
}

export interface BulkStudentReport {
  status: 'released' | 'unknown-student' | 'rejected';
  files: string[];
  rejected: { path: string; reason: string }[];
}

export interface BulkReleaseReport {
  assignment: string;
  releaseAt: string;
  students: Record<string, BulkStudentReport>;
  /** Entries that belong to no student folder. */
  rejected: { path: string; reason: string }[];
}

/** Periodic captures before the due time: every `everyMinutes` during the last `forMinutes`. */
export interface CaptureSchedule {
  everyMinutes: number;
  forMinutes: number;
}

export interface Extension {
  student: string;
  dueAt: string;
  /** The due time in the course's time zone, e.g. `2026-12-01 17:00 (America/Vancouver)`. */
  dueAtLocal: string;
  grantedBy: string;
  grantedAt: string;
}

export interface Assignment {
  id: string;
  title: string;
  /** UTC. */
  dueAt: string;
  dueAtLocal: string;
  timeZone: string;
  /** Whether each student's home is captured at their due time. */
  snapshotAtDue: boolean;
  captures: CaptureSchedule | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  extensions: Extension[];
}

export interface AssignmentInput {
  id: string;
  title?: string;
  dueAt: string;
  snapshotAtDue?: boolean;
  captures?: CaptureSchedule | null;
}

export type AssignmentChange = Partial<Omit<AssignmentInput, 'id'>>;

/** What a deadline capture proves: when, how much, and the digest of exactly what was captured. */
export interface Receipt {
  snapshot: string;
  takenAt: string;
  files: number;
  bytes: number;
  /** SHA-256 of the snapshot's manifest (every path, size and content hash). */
  manifestSha256: string;
  /** Set when the capture began after the due time (e.g. the service was down then): by how many seconds. */
  lateBySeconds: number | null;
}

export type CaptureStatus = 'upcoming' | 'due' | 'capturing' | 'captured' | 'failed' | 'not-scheduled';

export interface AssignmentStudentStatus {
  student: string;
  /** The student's effective due time (with an extension, if any). */
  dueAt: string;
  dueAtLocal: string;
  extended: boolean;
  status: CaptureStatus;
  receipt: Receipt | null;
  error: string | null;
  /** When the latest feedback file on this assignment was released to the student. */
  feedbackReleasedAt: string | null;
}

export interface AssignmentStatus {
  assignment: Assignment;
  students: AssignmentStudentStatus[];
}

export interface MyAssignment {
  id: string;
  title: string;
  dueAt: string;
  dueAtLocal: string;
  extended: boolean;
  status: CaptureStatus;
  receipt: Receipt | null;
}

export interface TriggerResult {
  /** Students whose capture this call started. */
  started: string[];
  /** Students whose capture for their current due time exists already (or is under way). */
  already: string[];
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
      const job = await this.job(id, { waitSeconds });
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
    return `${this.options.baseUrl}${this.snapshotPath(student, snapshot)}/files/${encodePath(filePath)}`;
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

  myFeedbackFileUrl(assignment: string, filePath: string): string {
    return `${this.options.baseUrl}api/v1/me/feedback/${encodeURIComponent(assignment)}/files/${encodePath(filePath)}`;
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
    return `${this.options.baseUrl}${this.feedbackPath(student, assignment)}/files/${encodePath(filePath)}`;
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
    return `${this.options.baseUrl}api/v1/assignments/${encodeURIComponent(id)}/status?format=csv`;
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

  private async sendForm<T>(path: string, form: FormData): Promise<T> {
    const response = await this.fetchImpl(this.options.baseUrl + path, {
      method: 'POST',
      headers: this.headers(),
      body: form,
      credentials: 'same-origin',
    });
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
    const response = await this.fetchImpl(this.options.baseUrl + path, { headers: this.headers(accept), credentials: 'same-origin' });
    if (!response.ok) throw await errorOf(response);
    return (await response.json()) as T;
  }

  private async send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
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
