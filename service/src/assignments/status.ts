/**
 * Where each student stands on an assignment: their effective due time, whether their deadline capture was
 * taken (with its receipt), their latest submission through nbgrader's exchange, and when feedback reached them. Derived from the rows on every read, so a moved due
 * time or a new extension is reflected at once and nothing stored goes stale.
 */
import type {
  Assignment,
  AssignmentStudentStatus,
  CaptureStatus,
  MyAssignment,
  Receipt,
  SnapshotSummary,
  SubmissionReceipt,
} from '@coursework/client';
import type { Selectable } from 'kysely';
import type { Catalog } from '../catalog/catalog';
import type { AssignmentsTable, ExtensionsTable } from '../catalog/schema';
import { feedbackOpenings } from '../audit/audit';
import { ExchangeSubmissions, type Submission } from '../exchange/submissions';
import { FeedbackStore } from '../feedback/store';
import { SnapshotQueries } from '../snapshots/queries';
import { type CaptureRow, capturesOf } from './scheduler';
import { type AssignmentStore, effectiveDue, localTime } from './store';

/** A capture that began later than this after its due time is flagged as late-taken. */
export const LATE_TOLERANCE_MS = 60_000;

/** Snapshot rows behind receipts, keyed `student\0name`. */
type ReceiptSnapshots = ReadonlyMap<string, Pick<SnapshotSummary, 'name' | 'takenAt' | 'files' | 'bytes' | 'manifestSha256'>>;

const deadlineKey = (assignment: string, student: string, dueAt: string) => `${assignment}\0${student}\0${dueAt}`;

export class AssignmentStatusReader {
  private readonly snapshots: SnapshotQueries;
  private readonly feedback: FeedbackStore;
  private readonly submissions: ExchangeSubmissions;

  constructor(
    private readonly db: Catalog,
    private readonly assignments: AssignmentStore,
    private readonly courseId: string,
    private readonly timeZone: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.snapshots = new SnapshotQueries(db, courseId);
    this.feedback = new FeedbackStore(db, courseId, now);
    this.submissions = new ExchangeSubmissions(db, courseId, timeZone);
  }

  /** The snapshot rows behind the captures' receipts, in one query. */
  private receiptSnapshots(captures: readonly CaptureRow[]): Promise<ReceiptSnapshots> {
    return this.snapshots.latestByName(captures.filter((c) => c.state === 'taken' && c.snapshot_name).map((c) => c.snapshot_name!));
  }

  private receipt(capture: CaptureRow, snapshots: ReceiptSnapshots): Receipt | null {
    if (capture.state !== 'taken' || !capture.snapshot_name) return null;
    const snapshot = snapshots.get(`${capture.student}\0${capture.snapshot_name}`);
    if (!snapshot) return null;
    const late = Date.parse(capture.claimed_at) - Date.parse(capture.due_at);
    return {
      snapshot: snapshot.name,
      takenAt: snapshot.takenAt,
      files: snapshot.files,
      bytes: snapshot.bytes,
      manifestSha256: snapshot.manifestSha256,
      lateBySeconds: late > LATE_TOLERANCE_MS ? Math.round(late / 1000) : null,
    };
  }

  private studentStatus(
    assignment: Selectable<AssignmentsTable>,
    extensions: Selectable<ExtensionsTable>[],
    deadlineCaptures: ReadonlyMap<string, CaptureRow>,
    snapshots: ReceiptSnapshots,
    student: string,
    submission: Submission | undefined,
  ): Omit<AssignmentStudentStatus, 'feedbackReleasedAt' | 'feedbackScheduledAt' | 'feedbackSeenAt'> {
    const { dueAt, extended } = effectiveDue(assignment, extensions, student);
    // The deadline capture is the one for the student's effective due time; earlier ones stay but do not count.
    const capture = deadlineCaptures.get(deadlineKey(assignment.id, student, dueAt));
    let status: CaptureStatus;
    if (capture) status = capture.state === 'taken' ? 'captured' : capture.state === 'failed' ? 'failed' : 'capturing';
    else if (assignment.snapshot_at_due !== 1) status = 'not-scheduled';
    else status = Date.parse(dueAt) > this.now().getTime() ? 'upcoming' : 'due';
    return {
      student,
      dueAt,
      dueAtLocal: localTime(dueAt, this.timeZone),
      extended,
      status,
      receipt: capture ? this.receipt(capture, snapshots) : null,
      error: capture?.state === 'failed' ? capture.error : null,
      submission: submission ? submissionReceipt(submission, dueAt) : null,
    };
  }

  async forAssignment(assignment: Assignment, roster: readonly string[]): Promise<AssignmentStudentStatus[]> {
    return (await this.forClass([assignment], roster)).map((row) => row[0]!);
  }

  /**
   * Every student of `roster` on every one of `assignments` (the class view): `[student][assignment]`. The rows are
   * read once for the whole class (a few queries per assignment, not per student).
   */
  async forClass(assignments: readonly Assignment[], roster: readonly string[]): Promise<AssignmentStudentStatus[][]> {
    const ids = new Set(assignments.map((a) => a.id));
    const [rows, extensions, captures, openings, perAssignment] = await Promise.all([
      this.assignments.rows(),
      this.assignments.extensionRows(),
      capturesOf(this.db, this.courseId),
      feedbackOpenings(this.db, this.courseId),
      Promise.all(
        assignments.map(async (a) => ({
          released: await this.feedback.releaseTimesByStudent(a.id),
          submissions: await this.submissions.latestByStudent(a.id),
        })),
      ),
    ]);
    const wanted = captures.filter((c) => ids.has(c.assignment_id));
    const snapshots = await this.receiptSnapshots(wanted);
    const deadlineCaptures = new Map(
      wanted.filter((c) => c.kind === 'deadline').map((c) => [deadlineKey(c.assignment_id, c.student, c.due_at), c]),
    );
    const columns = assignments.map((assignment, j) => {
      const row = rows.find((a) => a.id === assignment.id)!;
      const ofAssignment = extensions.filter((e) => e.assignment_id === assignment.id);
      const { released, submissions } = perAssignment[j]!;
      return { row, ofAssignment, released, submissions };
    });
    return roster.map((student) =>
      columns.map(({ row, ofAssignment, released, submissions }) => {
        const { releasedAt = null, scheduledAt = null } = released.get(student) ?? {};
        // Seen: opened since the latest release (feedback released after the student looked is new to them).
        const opened = openings.get(`${student}\0${row.id}`);
        return {
          ...this.studentStatus(row, ofAssignment, deadlineCaptures, snapshots, student, submissions.get(student)),
          feedbackReleasedAt: releasedAt,
          feedbackScheduledAt: scheduledAt,
          feedbackSeenAt: releasedAt !== null && opened !== undefined && opened >= releasedAt ? opened : null,
        };
      }),
    );
  }

  async forStudent(student: string): Promise<Omit<MyAssignment, 'course'>[]> {
    const [rows, extensions, captures] = await Promise.all([
      this.assignments.rows(),
      this.assignments.extensionRows(),
      capturesOf(this.db, this.courseId, { student }),
    ]);
    const snapshots = await this.receiptSnapshots(captures);
    const deadlineCaptures = new Map(
      captures.filter((c) => c.kind === 'deadline').map((c) => [deadlineKey(c.assignment_id, c.student, c.due_at), c]),
    );
    const mine: Omit<MyAssignment, 'course'>[] = [];
    for (const row of rows) {
      const status = this.studentStatus(row, extensions, deadlineCaptures, snapshots, student, await this.submissions.get(row.id, student));
      mine.push({
        id: row.id,
        title: row.title,
        dueAt: status.dueAt,
        dueAtLocal: status.dueAtLocal,
        extended: status.extended,
        status: status.status,
        receipt: status.receipt,
        submission: status.submission,
      });
    }
    return mine;
  }
}

/** A submission's receipt, late or not by the student's due time as it is now (an extension granted later counts). */
function submissionReceipt(submission: Submission, dueAt: string): SubmissionReceipt {
  const late = Date.parse(submission.submittedAt) - Date.parse(dueAt);
  return {
    snapshot: submission.snapshot,
    submittedAt: submission.submittedAt,
    timestamp: submission.timestamp,
    files: submission.files.length,
    bytes: submission.bytes,
    manifestSha256: submission.manifestSha256,
    lateBySeconds: late > 0 ? Math.ceil(late / 1000) : null,
  };
}

const CSV_COLUMNS = [
  'student',
  'due_at',
  'due_local',
  'extended',
  'status',
  'snapshot',
  'taken_at',
  'files',
  'bytes',
  'manifest_sha256',
  'late_by_seconds',
  'feedback_released_at',
  'submitted_at',
  'submission_late_by_seconds',
  'submission_manifest_sha256',
] as const;

/** One CSV cell: quoted when needed, and never read as a formula by a spreadsheet. */
function cell(value: string | number | boolean | null): string {
  let text = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function statusCsv(rows: readonly AssignmentStudentStatus[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of rows) {
    const r = row.receipt;
    lines.push(
      [
        row.student,
        row.dueAt,
        row.dueAtLocal,
        row.extended,
        row.status,
        r?.snapshot ?? null,
        r?.takenAt ?? null,
        r?.files ?? null,
        r?.bytes ?? null,
        r?.manifestSha256 ?? null,
        r?.lateBySeconds ?? null,
        row.feedbackReleasedAt,
        row.submission?.submittedAt ?? null,
        row.submission?.lateBySeconds ?? null,
        row.submission?.manifestSha256 ?? null,
      ]
        .map(cell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
