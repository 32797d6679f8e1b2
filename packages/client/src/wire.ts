/**
 * The wire types of the Coursework REST API (see the service's `api/v1/openapi.json`): what the service answers and
 * takes, shared by the service itself, the client and the JupyterLab extension.
 */

export type Role = 'instructor' | 'grader' | 'student';

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
  /** Operation ids (as in the OpenAPI document) the caller may use in the default course. */
  permissions: string[];
  /** The default course: the one the settings name. */
  course: { id: string; title: string };
  /** Whether the caller may create courses and manage any course. */
  courseAdmin: boolean;
  /** The courses the caller has a role in. */
  courses: { id: string; title: string; roles: Role[]; default: boolean }[];
}

export interface Course {
  id: string;
  title: string;
  timeZone: string;
  groups: { instructors: string; graders: string | null; students: string };
  /** What each snapshot of the course takes of a home: a folder of it (null: all of it), excludes, hidden files. */
  capture: { folder: string | null; exclude: string[]; includeHidden: boolean };
  /** The course the settings name, which the routes outside `courses/{course}` serve. */
  default: boolean;
  createdAt: string;
  createdBy: string | null;
  /** The caller's roles in the course. */
  roles: Role[];
  /** Operation ids the caller may use in the course (their unscoped names). */
  permissions: string[];
}

export interface CourseInput {
  id: string;
  title?: string;
  timeZone?: string | null;
  groups?: Partial<{ instructors: string; graders: string; students: string }>;
  /** Each part replaces the course's; null restores the service's default. */
  capture?: Partial<{ folder: string | null; exclude: string[] | null; includeHidden: boolean | null }>;
}

export type RosterSource =
  { role: Role; from: 'group'; group: string } | { role: Role; from: 'coursework'; addedBy: string; addedAt: string };

export interface RosterEntry {
  user: string;
  roles: Role[];
  sources: RosterSource[];
}

export interface RosterRowResult {
  row: number;
  user: string | null;
  role: Role | null;
  status: 'added' | 'updated' | 'unchanged' | 'error';
  message?: string;
}

export interface RosterReport {
  added: number;
  updated: number;
  unchanged: number;
  failed: number;
  rows: RosterRowResult[];
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

/** The course something belongs to. */
export interface CourseRef {
  id: string;
  title: string;
}

export interface MyFeedbackAssignment {
  assignment: string;
  course: CourseRef;
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

/** A submission through nbgrader's exchange: when, and the digest of exactly what was submitted. */
export interface SubmissionReceipt {
  /** The snapshot of the student it also is. */
  snapshot: string;
  submittedAt: string;
  /** As nbgrader sees it (`YYYY-MM-DD HH:MM:SS.ffffff`, UTC). */
  timestamp: string;
  files: number;
  bytes: number;
  manifestSha256: string;
  /** How long after the student's own due time (with an extension) it came; null when on time. */
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
  /** When the next feedback file still scheduled will be released. */
  feedbackScheduledAt: string | null;
  /** When the student last opened their feedback through Coursework, if since its latest release. */
  feedbackSeenAt: string | null;
  /** The student's latest submission through nbgrader's exchange, if any. */
  submission: SubmissionReceipt | null;
}

export interface AssignmentStatus {
  assignment: Assignment;
  students: AssignmentStudentStatus[];
}

/** The class workspace's view of a course: `status[i][j]` is `students[i]` on `assignments[j]`. */
export interface ClassStatus {
  course: CourseRef;
  assignments: Assignment[];
  students: string[];
  status: AssignmentStudentStatus[][];
}

export type TimelineEventKind =
  | 'snapshot'
  | 'capture'
  | 'capture-failed'
  | 'snapshot-deleted'
  | 'snapshot-downloaded'
  | 'submission'
  | 'feedback-scheduled'
  | 'feedback-released'
  | 'feedback-delivered'
  | 'feedback-withdrawn'
  | 'feedback-viewed'
  | 'extension';

/** One thing that happened to a student's work. */
export interface TimelineEvent {
  /** UTC. */
  at: string;
  kind: TimelineEventKind;
  /** The assignment it concerns, when it concerns one (a capture, a submission, feedback, an extension). */
  assignment: string | null;
  /** The snapshot's name, the feedback file's path, the new due time: what the event is about. */
  what: string;
  by: string;
  files?: number;
  bytes?: number;
}

/** A student's history in a course, and their due time on each assignment. */
export interface StudentTimeline {
  student: string;
  course: CourseRef;
  dues: { assignment: string; title: string; dueAt: string; extended: boolean }[];
  /** Oldest first. */
  events: TimelineEvent[];
  /** Whether older events were left out (the timeline shows the latest two thousand). */
  truncated: boolean;
}

/** What changed in the course after a cursor (`GET api/v1/changes`). */
export interface ClassChanges {
  /** Ask after this next. */
  cursor: number;
  /** Students whose work, feedback or due times changed. */
  students: string[];
  /** Whether assignments, the course or its roster changed (a view of the whole class reads it again). */
  assignments: boolean;
}

export interface MyAssignment {
  id: string;
  course: CourseRef;
  title: string;
  dueAt: string;
  dueAtLocal: string;
  extended: boolean;
  status: CaptureStatus;
  receipt: Receipt | null;
  /** The caller's latest submission through nbgrader's exchange, if any. */
  submission: SubmissionReceipt | null;
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
