/**
 * State of the instructor's "Assignments" section, apart from its DOM: the course's assignments, the one selected
 * and its per-student status (followed while captures are under way), and the forms' outcomes.
 */
import type {
  Assignment,
  AssignmentStatus,
  AssignmentStudentStatus,
  CourseworkClient,
  Student,
  SubmissionReceipt,
} from '@coursework/client';
import { type ISignal, Signal } from '@lumino/signaling';
import { describeError } from '../common/connection';
import { formatTime, localInputToIso, spokenDuration } from '../common/datetime';

export interface AssignmentForm {
  id: string;
  title: string;
  /** The value of a datetime-local input. */
  due: string;
  snapshotAtDue: boolean;
}

export interface AssignmentListItem {
  id: string;
  title: string;
  dueAtLocal: string;
  extensions: number;
}

export interface StatusRow {
  student: string;
  due: string;
  extended: boolean;
  status: AssignmentStudentStatus['status'];
  /** "23 Nov 2026, 17:00 · 12 files", or "—" without a receipt. */
  receipt: string;
  /** Late captures and errors, for people. */
  note: string | null;
  feedbackReleasedAt: string;
  /** The latest submission through nbgrader's exchange: "23 Nov 2026, 16:58 · 2 files", "… (45 min late)", or "—". */
  submission: string;
}

export interface AssignmentsModelOptions {
  client: CourseworkClient;
  /** Time between two reads of the status while captures are under way. */
  pollIntervalMs?: number;
  /** How many reads at most before the section stops following (the Refresh button reads again). */
  maxPolls?: number;
  sleep?: (ms: number) => Promise<void>;
  format?: (iso: string) => string;
}

/** Statuses that change on their own soon: the status is read again until none is left. */
const MOVING: ReadonlySet<AssignmentStudentStatus['status']> = new Set(['due', 'capturing']);

export function assignmentListItems(assignments: readonly Assignment[]): AssignmentListItem[] {
  return assignments.map((a) => ({ id: a.id, title: a.title || a.id, dueAtLocal: a.dueAtLocal, extensions: a.extensions.length }));
}

export function statusRows(status: AssignmentStatus, format: (iso: string) => string = formatTime): StatusRow[] {
  return status.students.map((s) => {
    const late = s.receipt?.lateBySeconds ? `taken ${Math.round(s.receipt.lateBySeconds / 60)} min late` : null;
    return {
      student: s.student,
      due: s.dueAtLocal,
      extended: s.extended,
      status: s.status,
      receipt: s.receipt ? `${format(s.receipt.takenAt)} · ${s.receipt.files} file${s.receipt.files === 1 ? '' : 's'}` : '—',
      note: s.error ?? late,
      feedbackReleasedAt: s.feedbackReleasedAt ? format(s.feedbackReleasedAt) : '—',
      submission: s.submission ? submissionText(s.submission, format) : '—',
    };
  });
}

function submissionText(submission: SubmissionReceipt, format: (iso: string) => string): string {
  const files = `${submission.files} file${submission.files === 1 ? '' : 's'}`;
  const late = submission.lateBySeconds === null ? '' : ` (${spokenDuration(submission.lateBySeconds)} late)`;
  return `${format(submission.submittedAt)} · ${files}${late}`;
}

export class AssignmentsModel {
  constructor(options: AssignmentsModelOptions) {
    this.client = options.client;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.maxPolls = options.maxPolls ?? 120;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.format = options.format ?? formatTime;
  }

  get changed(): ISignal<this, void> {
    return this.changedSignal;
  }

  assignments: Assignment[] = [];
  students: Student[] = [];
  loadError: string | null = null;
  selectedId: string | null = null;
  status: AssignmentStatus | null = null;
  statusError: string | null = null;
  /** The outcome of the last form (create, extension, capture), and whether it failed. */
  notice: { text: string; error: boolean } | null = null;

  items(): AssignmentListItem[] {
    return assignmentListItems(this.assignments);
  }

  rows(): StatusRow[] {
    return this.status ? statusRows(this.status, this.format) : [];
  }

  async refresh(): Promise<void> {
    try {
      const [assignments, students] = await Promise.all([this.client.assignments(), this.client.allStudents()]);
      this.assignments = assignments;
      this.students = students;
      this.loadError = null;
    } catch (error) {
      this.loadError = describeError(error);
    }
    this.emit();
    if (this.selectedId) await this.follow();
  }

  async create(form: AssignmentForm): Promise<Assignment | null> {
    let dueAt: string | undefined;
    try {
      if (!form.id.trim()) throw new Error('Give the assignment an id');
      dueAt = localInputToIso(form.due);
      if (!dueAt) throw new Error('Give the assignment a due time');
    } catch (error) {
      return this.fail(error);
    }
    try {
      const created = await this.client.createAssignment({
        id: form.id.trim(),
        title: form.title.trim() || undefined,
        dueAt,
        snapshotAtDue: form.snapshotAtDue,
      });
      this.notice = { text: `Created “${created.title || created.id}”, due ${created.dueAtLocal}`, error: false };
      this.assignments = [...this.assignments.filter((a) => a.id !== created.id), created].sort((a, b) => a.dueAt.localeCompare(b.dueAt));
      this.selectedId = created.id;
      this.emit();
      await this.follow();
      return created;
    } catch (error) {
      return this.fail(error);
    }
  }

  /** Shows the status of one assignment (and follows it while captures run); null hides it. */
  async select(id: string | null): Promise<void> {
    this.selectedId = id;
    this.status = null;
    this.statusError = null;
    this.emit();
    if (id) await this.follow();
  }

  async grantExtension(student: string, due: string): Promise<void> {
    const id = this.selectedId;
    if (!id) return;
    try {
      if (!student) throw new Error('Choose a student');
      const dueAt = localInputToIso(due);
      if (!dueAt) throw new Error('Give the new due time');
      const updated = await this.client.grantExtension(id, student, dueAt);
      this.replace(updated);
      const extension = updated.extensions.find((e) => e.student === student);
      this.notice = { text: `${student} is now due ${extension?.dueAtLocal ?? dueAt}`, error: false };
      this.emit();
      await this.follow();
    } catch (error) {
      this.fail(error);
    }
  }

  /** Takes the deadline capture now, for every student who has none for their current due time. */
  async captureNow(): Promise<void> {
    const id = this.selectedId;
    if (!id) return;
    try {
      const result = await this.client.triggerAssignment(id);
      const parts = [`${result.started.length} capture${result.started.length === 1 ? '' : 's'} started`];
      if (result.already.length > 0) parts.push(`${result.already.length} already taken`);
      this.notice = { text: parts.join(', '), error: false };
      this.emit();
      await this.follow();
    } catch (error) {
      this.fail(error);
    }
  }

  /** Reads the selected assignment's status, again while some capture is due or running. */
  private async follow(): Promise<void> {
    const id = this.selectedId;
    if (!id) return;
    const generation = ++this.generation;
    for (let poll = 0; poll < this.maxPolls; poll++) {
      try {
        const status = await this.client.assignmentStatus(id);
        // A newer selection or read took over meanwhile.
        if (generation !== this.generation) return;
        this.status = status;
        this.statusError = null;
        this.replace(status.assignment);
        this.emit();
        if (!status.students.some((s) => MOVING.has(s.status))) return;
      } catch (error) {
        if (generation !== this.generation) return;
        this.statusError = describeError(error);
        this.emit();
        return;
      }
      await this.sleep(this.pollIntervalMs);
      if (generation !== this.generation) return;
    }
  }

  private replace(assignment: Assignment): void {
    this.assignments = this.assignments.map((a) => (a.id === assignment.id ? assignment : a));
  }

  private fail(error: unknown): null {
    this.notice = { text: describeError(error), error: true };
    this.emit();
    return null;
  }

  private emit(): void {
    this.changedSignal.emit();
  }

  private readonly client: CourseworkClient;
  private readonly pollIntervalMs: number;
  private readonly maxPolls: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly format: (iso: string) => string;
  private generation = 0;
  private readonly changedSignal = new Signal<this, void>(this);
}
