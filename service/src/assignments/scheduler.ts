/**
 * The capture scheduler: takes each student's deadline snapshot at their due time (their extension's, if any),
 * and the optional periodic captures before it.
 *
 * Work is claimed through the catalog: a capture is owed once per (assignment, student, kind, time), and whoever
 * inserts its row first takes it, so two instances on one catalog, a restart, or the LMS webhook racing the
 * scheduler never take it twice. A due time that passed while the service was down is found at start-up and
 * taken then (its receipt says how late). Moving a due time or granting an extension changes the key, so the
 * new time is captured too and the earlier capture is kept.
 */
import { randomUUID } from 'node:crypto';
import { jobEnded, type TriggerResult } from '@coursework/client';
import type { Selectable } from 'kysely';
import { recordAudit } from '../audit/audit';
import type { Catalog } from '../catalog/catalog';
import type { CaptureKind, CapturesTable } from '../catalog/schema';
import type { Logger } from '../log';
import type { SnapshotJobs } from '../snapshots/jobs';
import { slugify } from '../names';
import { SnapshotQueries } from '../snapshots/queries';
import { WakeLoop } from '../util/wake-loop';
import { type AssignmentStore, effectiveDue } from './store';

/** Captures marked taken by one update. */
const SETTLE_BATCH = 500;

export type CaptureRow = Selectable<CapturesTable>;

/** The captures of a course, of one assignment or of one student (this module owns the `captures` table). */
export function capturesOf(db: Catalog, courseId: string, filter: { assignmentId?: string; student?: string } = {}): Promise<CaptureRow[]> {
  let query = db.selectFrom('captures').selectAll().where('course_id', '=', courseId);
  if (filter.assignmentId !== undefined) query = query.where('assignment_id', '=', filter.assignmentId);
  if (filter.student !== undefined) query = query.where('student', '=', filter.student);
  return query.execute();
}

export interface SchedulerOptions {
  courseId: string;
  timeZone: string;
  /** Longest sleep between passes (a pass also runs at each due time and after every change). */
  intervalMs?: number;
  /** A claim left without a snapshot job this long (its instance died) is taken over. */
  staleClaimMs?: number;
  now?: () => Date;
}

const ACTOR = 'coursework-scheduler';

/** The periodic capture slot due now, if any: `due - k·every` within the window, the latest one not after now. */
export function periodicSlot(dueMs: number, everyMinutes: number, forMinutes: number, nowMs: number): number | undefined {
  if (nowMs >= dueMs) return undefined;
  const every = everyMinutes * 60_000;
  const slot = dueMs - Math.ceil((dueMs - nowMs) / every) * every;
  return slot >= dueMs - forMinutes * 60_000 ? slot : undefined;
}

export class CaptureScheduler extends WakeLoop {
  /** Tells this instance's claims from another's. */
  readonly instanceId = randomUUID();
  private readonly now: () => Date;
  private readonly snapshots: SnapshotQueries;

  constructor(
    private readonly db: Catalog,
    private readonly assignments: AssignmentStore,
    private readonly jobs: SnapshotJobs,
    private readonly roster: { studentNames(): Promise<string[]> },
    private readonly options: SchedulerOptions,
    private readonly log: Logger,
  ) {
    const now = options.now ?? (() => new Date());
    super({
      longestMs: options.intervalMs ?? 30_000,
      marginMs: 20,
      now,
      onError: (error) => log.error({ err: error }, 'capture scheduler pass failed; trying again soon'),
    });
    this.now = now;
    this.snapshots = new SnapshotQueries(db, options.courseId);
  }

  protected override pass(): Promise<number | undefined> {
    return this.tick();
  }

  /** One pass: claim what is due, start snapshot jobs for claims, record finished captures. Returns when to wake. */
  async tick(): Promise<number | undefined> {
    const wake = await this.claimDue();
    await this.startClaimed();
    await this.settle();
    return wake;
  }

  /** Captures for the current due time of these students, now; the ones claimed already are reported as such. */
  async trigger(assignmentId: string, students: readonly string[] | undefined): Promise<TriggerResult | undefined> {
    const assignment = (await this.assignments.rows()).find((a) => a.id === assignmentId);
    if (!assignment) return undefined;
    const extensions = await this.assignments.extensionRows(assignmentId);
    const roster = await this.roster.studentNames();
    const targets = students ? roster.filter((s) => students.includes(s)) : roster;
    const result: TriggerResult = { started: [], already: [] };
    for (const student of targets) {
      const { dueAt } = effectiveDue(assignment, extensions, student);
      ((await this.claim(assignmentId, student, 'deadline', dueAt)) ? result.started : result.already).push(student);
    }
    await this.startClaimed();
    return result;
  }

  private async claim(assignmentId: string, student: string, kind: CaptureKind, dueAt: string): Promise<boolean> {
    const result = await this.db
      .insertInto('captures')
      .values({
        course_id: this.options.courseId,
        assignment_id: assignmentId,
        student,
        kind,
        due_at: dueAt,
        claimed_by: this.instanceId,
        claimed_at: this.now().toISOString(),
        snapshot_name: null,
        job_id: null,
        state: 'claimed',
        error: null,
      })
      .onConflict((oc) => oc.columns(['course_id', 'assignment_id', 'student', 'kind', 'due_at']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  private async claimDue(): Promise<number | undefined> {
    const nowMs = this.now().getTime();
    const assignments = await this.assignments.rows();
    // No assignment, no work: the Hub is not asked for the roster.
    if (assignments.length === 0) return undefined;
    const [extensions, roster, existing] = await Promise.all([
      this.assignments.extensionRows(),
      this.roster.studentNames(),
      this.db
        .selectFrom('captures')
        .select(['assignment_id', 'student', 'kind', 'due_at'])
        .where('course_id', '=', this.options.courseId)
        .execute(),
    ]);
    const owed = new Set(existing.map((c) => `${c.assignment_id}\0${c.student}\0${c.kind}\0${c.due_at}`));
    let wake: number | undefined;
    const wakeAt = (ms: number) => {
      if (ms > nowMs && (wake === undefined || ms < wake)) wake = ms;
    };
    for (const assignment of assignments) {
      for (const student of roster) {
        const { dueAt } = effectiveDue(assignment, extensions, student);
        const dueMs = Date.parse(dueAt);
        const claimOnce = async (kind: CaptureKind, at: string) => {
          if (!owed.has(`${assignment.id}\0${student}\0${kind}\0${at}`)) await this.claim(assignment.id, student, kind, at);
        };
        if (assignment.snapshot_at_due === 1) {
          if (dueMs <= nowMs) await claimOnce('deadline', dueAt);
          else wakeAt(dueMs);
        }
        if (assignment.capture_every_minutes !== null && assignment.capture_for_minutes !== null) {
          const slot = periodicSlot(dueMs, assignment.capture_every_minutes, assignment.capture_for_minutes, nowMs);
          if (slot !== undefined) await claimOnce('periodic', new Date(slot).toISOString());
          const next = periodicSlot(
            dueMs,
            assignment.capture_every_minutes,
            assignment.capture_for_minutes,
            nowMs + assignment.capture_every_minutes * 60_000,
          );
          if (next !== undefined) wakeAt(next);
        }
      }
    }
    return wake;
  }

  /** The snapshot name of a capture: `<assignment>_<date>` (or `<assignment>-auto-HHMM_<date>`), first free one. */
  private async nameFor(capture: CaptureRow): Promise<{ name: string; baseName: string }> {
    const slug = slugify(capture.assignment_id) || 'assignment';
    const at = this.now();
    let base = slug;
    if (capture.kind === 'periodic') {
      const hhmm = new Intl.DateTimeFormat('en-GB', {
        timeZone: this.options.timeZone,
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      })
        .format(new Date(capture.due_at))
        .replace(':', '');
      base = `${slug}-auto-${hhmm}`;
    }
    for (let n = 1; ; n++) {
      const baseName = n === 1 ? base : `${base}-${n}`;
      const name = this.jobs.nameFor(baseName, at);
      const taken = await this.snapshots.exists(capture.student, name);
      const promised = await this.db
        .selectFrom('captures')
        .select('id')
        .where('course_id', '=', this.options.courseId)
        .where('student', '=', capture.student)
        .where('snapshot_name', '=', name)
        .where('id', '!=', capture.id)
        .executeTakeFirst();
      if (!taken && !promised) return { name, baseName };
    }
  }

  private async startClaimed(): Promise<void> {
    const staleBefore = new Date(this.now().getTime() - (this.options.staleClaimMs ?? 120_000)).toISOString();
    const claims = await this.db
      .selectFrom('captures')
      .selectAll()
      .where('course_id', '=', this.options.courseId)
      .where('state', '=', 'claimed')
      .where('job_id', 'is', null)
      .where((eb) => eb.or([eb('claimed_by', '=', this.instanceId), eb('claimed_at', '<', staleBefore)]))
      .orderBy('id')
      .execute();
    const groups = new Map<string, { baseName: string; captures: CaptureRow[] }>();
    for (const capture of claims) {
      if (capture.claimed_by !== this.instanceId) {
        // Take over a dead instance's claim, unless another instance does so at the same moment.
        const taken = await this.db
          .updateTable('captures')
          .set({ claimed_by: this.instanceId, claimed_at: this.now().toISOString() })
          .where('id', '=', capture.id)
          .where('claimed_by', '=', capture.claimed_by)
          .where('job_id', 'is', null)
          .executeTakeFirst();
        if (Number(taken.numUpdatedRows) === 0) continue;
      }
      const { name, baseName } = capture.snapshot_name
        ? { name: capture.snapshot_name, baseName: capture.snapshot_name.replace(/_\d{4}-\d{2}-\d{2}$/, '') }
        : await this.nameFor(capture);
      await this.db.updateTable('captures').set({ snapshot_name: name }).where('id', '=', capture.id).execute();
      const group = groups.get(name) ?? { baseName, captures: [] };
      group.captures.push(capture);
      groups.set(name, group);
    }
    const roster = groups.size > 0 ? await this.roster.studentNames() : [];
    for (const [name, group] of groups) {
      const { job } = await this.jobs.request(
        { name, baseName: group.baseName, includeHidden: this.jobs.includeHiddenByDefault, students: group.captures.map((c) => c.student) },
        roster,
        ACTOR,
      );
      await this.db
        .updateTable('captures')
        .set({ job_id: job.id, state: 'running' })
        .where(
          'id',
          'in',
          group.captures.map((c) => c.id),
        )
        .execute();
      this.log.info({ snapshot: name, students: group.captures.length, job: job.id }, 'capture started');
    }
  }

  /** Marks captures whose snapshot exists as taken, and those whose job ended without it as failed. */
  async settle(): Promise<void> {
    const open = await this.db
      .selectFrom('captures')
      .selectAll()
      .where('course_id', '=', this.options.courseId)
      .where('state', 'in', ['claimed', 'running'])
      .where('snapshot_name', 'is not', null)
      .execute();
    if (open.length === 0) return;
    // A few queries however many captures are open (the class view settles before each read): each job read once,
    // which snapshots exist, one update for the taken. The jobs are read first: a job seen ended has committed its
    // snapshots, so a capture of it whose snapshot is missing after that has failed (read the other way round, a job
    // ending between the two looks would fail captures that were taken).
    const jobs = new Map<string, Awaited<ReturnType<SnapshotJobs['get']>>>();
    for (const { job_id: id } of open) if (id && !jobs.has(id)) jobs.set(id, await this.jobs.get(id));
    const live = await this.snapshots.liveByNames(open.map((c) => c.snapshot_name!));
    const isLive = (c: CaptureRow) => live.has(`${c.student}\0${c.snapshot_name}`);
    const taken = open.filter(isLive);
    for (let i = 0; i < taken.length; i += SETTLE_BATCH) {
      const ids = taken.slice(i, i + SETTLE_BATCH).map((c) => c.id);
      await this.db.updateTable('captures').set({ state: 'taken' }).where('id', 'in', ids).execute();
    }
    for (const capture of open) {
      const job = capture.job_id ? jobs.get(capture.job_id) : undefined;
      if (isLive(capture) || !job || !jobEnded(job)) continue;
      const outcome = job.students[capture.student];
      const error = outcome?.error ?? outcome?.status ?? 'no outcome';
      // Recorded once (another replica may settle the same capture): the student's timeline and the class's changes
      // feed show it.
      const failed = await this.db.transaction().execute(async (trx) => {
        const { numUpdatedRows } = await trx
          .updateTable('captures')
          .set({ state: 'failed', error })
          .where('id', '=', capture.id)
          .where('state', 'in', ['claimed', 'running'])
          .executeTakeFirstOrThrow();
        if (Number(numUpdatedRows) === 0) return false;
        await recordAudit(trx, {
          courseId: this.options.courseId,
          actor: job.createdBy,
          action: 'capture.failed',
          target: `${capture.student}/${capture.assignment_id}`,
          detail: { dueAt: capture.due_at, error },
        });
        return true;
      });
      if (failed) this.log.warn({ assignment: capture.assignment_id, student: capture.student, error }, 'capture failed');
    }
  }

  /** Resolves when the snapshot jobs of open captures have ended and their captures are settled (tests). */
  async settled(): Promise<void> {
    const open = await this.db
      .selectFrom('captures')
      .select('job_id')
      .where('course_id', '=', this.options.courseId)
      .where('state', 'in', ['claimed', 'running'])
      .where('job_id', 'is not', null)
      .execute();
    for (const { job_id: id } of open) await this.jobs.settled(id!);
    await this.settle();
  }
}
