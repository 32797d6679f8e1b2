/**
 * State of the instructor panel, apart from its DOM: the students × snapshots overview, the filter, the selection,
 * and the snapshot job being taken (polled until done).
 */
import { type CourseworkClient, type Job, jobEnded, type SnapshotSummary, type Student } from '@coursework/client';
import { type ISignal, Signal } from '@lumino/signaling';
import { describeError } from '../common/connection';
import { outcomeProblem } from './outcomes';

export interface OverviewRow {
  student: string;
  homeExists: boolean;
  /** The student's snapshots by name. */
  snapshots: Map<string, SnapshotSummary>;
}

export interface Overview {
  /** Snapshot names shown as columns, newest first. */
  columns: string[];
  rows: OverviewRow[];
}

export interface SnapshotForm {
  name: string;
  includeHidden: boolean;
  /** Every student of the course, or only the selected ones. */
  scope: 'all' | 'selected';
}

export interface Problem {
  student: string;
  message: string;
}

export interface InstructorModelOptions {
  client: CourseworkClient;
  /** Time between two reads of a running job. */
  pollIntervalMs?: number;
  /** Waits (a stub in tests). */
  sleep?: (ms: number) => Promise<void>;
  pageSize?: number;
}

/** The instructor panel's state: the students, their snapshots, the selection and the snapshot job being taken. */
export class InstructorModel {
  constructor(options: InstructorModelOptions) {
    this.client = options.client;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.pageSize = options.pageSize ?? 200;
  }

  /** Emits after every change of state. */
  get changed(): ISignal<this, void> {
    return this.changedSignal;
  }

  students: Student[] = [];
  snapshots = new Map<string, SnapshotSummary[]>();
  loading = false;
  /** Why the overview could not be read, if it could not. */
  loadError: string | null = null;
  job: Job | null = null;
  /** Why the job could not be started or followed. */
  jobError: string | null = null;

  get filter(): string {
    return this.filterText;
  }

  set filter(text: string) {
    this.filterText = text;
    this.emit();
  }

  get selected(): ReadonlySet<string> {
    return this.selection;
  }

  setSelected(student: string, selected: boolean): void {
    if (selected) this.selection.add(student);
    else this.selection.delete(student);
    this.emit();
  }

  /** Reads the students and everyone's snapshots (a few pages for the whole course, not a read per student). */
  async refresh(): Promise<void> {
    this.loading = true;
    this.emit();
    try {
      const [students, snapshots] = await Promise.all([this.client.allStudents(this.pageSize), this.client.allSnapshots(this.pageSize)]);
      const byStudent = new Map<string, SnapshotSummary[]>(students.map((s) => [s.name, []]));
      for (const snapshot of snapshots) byStudent.get(snapshot.student)?.push(snapshot);
      this.students = students;
      this.snapshots = byStudent;
      this.loadError = null;
    } catch (error) {
      this.loadError = describeError(error);
    } finally {
      this.loading = false;
      this.emit();
    }
  }

  /**
   * The overview under the filter: students whose name contains it, with every snapshot; if no student's name
   * matches, the snapshot names that contain it, with the students who have one of them.
   */
  overview(): Overview {
    const query = this.filterText.trim().toLowerCase();
    const allRows = this.students.map((s) => ({
      student: s.name,
      homeExists: s.homeExists,
      snapshots: new Map((this.snapshots.get(s.name) ?? []).map((snap) => [snap.name, snap])),
    }));
    const newestFirst = (rows: OverviewRow[]) => {
      const taken = new Map<string, string>();
      for (const row of rows) {
        for (const snap of row.snapshots.values()) {
          if ((taken.get(snap.name) ?? '') < snap.takenAt) taken.set(snap.name, snap.takenAt);
        }
      }
      // ISO dates sort as text.
      return [...taken].sort(([a, ta], [b, tb]) => tb.localeCompare(ta) || a.localeCompare(b)).map(([name]) => name);
    };
    if (!query) return { columns: newestFirst(allRows), rows: allRows };
    const byStudent = allRows.filter((row) => row.student.toLowerCase().includes(query));
    if (byStudent.length > 0) return { columns: newestFirst(byStudent), rows: byStudent };
    const columns = newestFirst(allRows).filter((name) => name.toLowerCase().includes(query));
    const rows = allRows.filter((row) => columns.some((name) => row.snapshots.has(name)));
    return { columns, rows };
  }

  /** Whether a job is being taken (the form waits for it). */
  get busy(): boolean {
    return this.job !== null && !jobEnded(this.job) && this.jobError === null;
  }

  /** Starts a snapshot job (or joins the one of the same name), follows it to the end, then re-reads the overview. */
  async takeSnapshot(form: SnapshotForm): Promise<Job | null> {
    const students = form.scope === 'selected' ? [...this.selection] : undefined;
    this.jobError = null;
    if (!form.name.trim()) this.jobError = 'Give the snapshot a name';
    else if (students?.length === 0) this.jobError = 'Select at least one student, or take a snapshot of all students';
    if (this.jobError) {
      this.emit();
      return null;
    }
    try {
      let { job } = await this.client.snapshot({ name: form.name, includeHidden: form.includeHidden, ...(students ? { students } : {}) });
      this.setJob(job);
      while (!jobEnded(job)) {
        await this.sleep(this.pollIntervalMs);
        job = await this.client.job(job.id);
        this.setJob(job);
      }
    } catch (error) {
      this.jobError = describeError(error);
      this.emit();
      return null;
    }
    await this.refresh();
    return this.job;
  }

  /** The students the job did not snapshot, and why. */
  problems(): Problem[] {
    if (!this.job) return [];
    return Object.entries(this.job.students).flatMap(([student, outcome]) => {
      const message = outcomeProblem(outcome);
      return message ? [{ student, message }] : [];
    });
  }

  private setJob(job: Job): void {
    this.job = job;
    this.emit();
  }

  private emit(): void {
    this.changedSignal.emit();
  }

  private readonly client: CourseworkClient;
  private readonly pollIntervalMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly pageSize: number;
  private filterText = '';
  private readonly selection = new Set<string>();
  private readonly changedSignal = new Signal<this, void>(this);
}
