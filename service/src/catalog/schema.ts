/** Table types of the catalog, as Kysely sees them. Every course-owned row carries `course_id`. */
import type { ColumnType, Generated } from 'kysely';

export interface CoursesTable {
  id: string;
  title: string;
  instructors_group: string;
  students_group: string;
  /** Null for a course created before graders existed: it has none by group. */
  graders_group: string | null;
  /** IANA zone; null: the service's default. */
  time_zone: string | null;
  created_at: ColumnType<string, string, never>;
  created_by: string | null;
  updated_at: string;
  deleted_at: string | null;
  deleted_by: string | null;
  /** JSON CourseCapture; null: the service's defaults. */
  capture: Generated<string | null>;
}

export type MemberRole = 'instructor' | 'grader' | 'student';

/** The roster Coursework keeps itself, beside the course's Hub groups: one role per user and course. */
export interface CourseMembersTable {
  course_id: string;
  user: string;
  role: MemberRole;
  added_by: string;
  added_at: string;
  updated_at: string;
}

export interface AuditEventsTable {
  id: Generated<number>;
  course_id: string;
  /** ISO-8601 UTC. */
  at: string;
  actor: string;
  action: string;
  target: string;
  /** JSON object with details. */
  detail: string;
}

export interface SnapshotsTable {
  id: Generated<number>;
  course_id: string;
  student: string;
  /** With the date suffix: `assignment-1_2026-11-23`. */
  name: string;
  base_name: string;
  taken_at: string;
  taken_by: string;
  job_id: string | null;
  include_hidden: number;
  file_count: number;
  bytes: number;
  manifest_sha256: string;
  /** JSON list of ManifestEntry. */
  manifest: string;
  /** JSON list of {path, reason}: what the walk left out. */
  skipped: string;
  /** JSON list of the paths whose stored bytes were found damaged and could not be repaired; null when whole. */
  damaged: Generated<string | null>;
  deleted_at: string | null;
  deleted_by: string | null;
}

export interface HomeIndexTable {
  course_id: string;
  student: string;
  /** When the walk that produced these entries started, in ns since the epoch. */
  walked_at_ns: string;
  /** JSON object: path → {size, mtimeNs, ino, ctimeNs, dev, sha256}. */
  entries: string;
}

export interface JobsTable {
  id: string;
  course_id: string;
  kind: string;
  /** Identical requests share a key; a request joins a queued or running job with its key. */
  dedupe_key: string;
  params: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  /** Why a `failed` job could not go on. */
  error: string | null;
  total: number;
  done: number;
  bytes: number;
  /** JSON object: student → result. */
  results: string;
  created_by: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** The replica running the job, and until when its claim holds unless renewed (ISO time). */
  lease_owner: string | null;
  lease_until: string | null;
}

/** Work one replica at a time does, by name: held by `owner` until `until` (ISO time). */
export interface LeasesTable {
  name: string;
  owner: string;
  until: string;
}

export interface FeedbackFilesTable {
  id: Generated<number>;
  course_id: string;
  student: string;
  assignment: string;
  /** Relative path inside the assignment's feedback, `/`-separated. */
  path: string;
  sha256: string;
  size: number;
  released_by: string;
  created_at: string;
  /** The student sees the file from this time on. */
  release_at: string;
  /** Set when a newer version of the same path was released. */
  replaced_at: string | null;
  withdrawn_at: string | null;
  withdrawn_by: string | null;
  /** Where in the student's home the file is to be written (relative), or null when it is not delivered there. */
  home_path: string | null;
  delivered_at: string | null;
  /** JSON HomeWriteResult of the delivery. */
  delivery: string | null;
  /** When its stored bytes were found damaged beyond repair; null when whole. */
  damaged_at: Generated<string | null>;
}

export interface AssignmentsTable {
  course_id: string;
  id: string;
  title: string;
  /** ISO-8601 UTC. */
  due_at: string;
  snapshot_at_due: number;
  /** Periodic captures before the due time: every so many minutes during the last so many minutes. */
  capture_every_minutes: number | null;
  capture_for_minutes: number | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface ExtensionsTable {
  course_id: string;
  assignment_id: string;
  student: string;
  due_at: string;
  granted_by: string;
  granted_at: string;
}

export type CaptureKind = 'deadline' | 'periodic';
export type CaptureState = 'claimed' | 'running' | 'taken' | 'failed';

export interface CapturesTable {
  id: Generated<number>;
  course_id: string;
  assignment_id: string;
  student: string;
  kind: CaptureKind;
  /** The time the capture is for: the student's effective due time, or the periodic capture's slot. */
  due_at: string;
  claimed_by: string;
  claimed_at: string;
  snapshot_name: string | null;
  job_id: string | null;
  state: CaptureState;
  error: string | null;
}

/** One file of an exchange release or submission: its path, its blob, and the md5 nbgrader checks. */
export interface ExchangeFile {
  path: string;
  sha256: string;
  size: number;
  md5: string;
}

/** An assignment released through nbgrader's exchange: the files students fetch. */
export interface ExchangeReleasesTable {
  id: Generated<number>;
  course_id: string;
  assignment_id: string;
  released_at: string;
  released_by: string;
  /** JSON list of ExchangeFile. */
  files: string;
  deleted_at: string | null;
  deleted_by: string | null;
}

/** A student's submission through the exchange; its files are also the snapshot `snapshot_name` of the student. */
export interface ExchangeSubmissionsTable {
  id: Generated<number>;
  course_id: string;
  assignment_id: string;
  student: string;
  /** As nbgrader sees it: `YYYY-MM-DD HH:MM:SS.ffffff`, UTC, no zone. */
  timestamp: string;
  /** ISO-8601 UTC. */
  submitted_at: string;
  snapshot_name: string;
  /** JSON list of ExchangeFile. */
  files: string;
  file_count: number;
  bytes: number;
  manifest_sha256: string;
  /** The student's own due time when they submitted (with an extension), if the assignment had one. */
  due_at: string | null;
  late_by_seconds: number | null;
}

/** The names and e-mail address nbgrader keeps for a course's instructors and students. */
export interface ExchangeProfilesTable {
  course_id: string;
  user: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
}

export interface CatalogSchema {
  courses: CoursesTable;
  course_members: CourseMembersTable;
  audit_events: AuditEventsTable;
  snapshots: SnapshotsTable;
  home_index: HomeIndexTable;
  jobs: JobsTable;
  leases: LeasesTable;
  feedback_files: FeedbackFilesTable;
  assignments: AssignmentsTable;
  extensions: ExtensionsTable;
  captures: CapturesTable;
  exchange_releases: ExchangeReleasesTable;
  exchange_submissions: ExchangeSubmissionsTable;
  exchange_profiles: ExchangeProfilesTable;
}
