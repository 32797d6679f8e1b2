/**
 * Snapshot jobs: snapshotting several students (or a whole course) in the background.
 *
 * A request returns at once with a job; students are taken in parallel by a bounded pool, each one's outcome is
 * recorded as it finishes (one failing student fails only itself), and progress is kept in the catalog. An
 * identical request (same name, students and options) while a job is queued or running joins that job instead of
 * starting another. After a crash or restart, unfinished jobs resume: students already taken stay taken (the
 * snapshot row carries the job's id), the rest are taken then.
 *
 * Several replicas may share the catalog. A job is run by the replica that holds its lease: the one that created it,
 * renewing the lease while it runs. Every replica looks now and then for jobs whose lease has lapsed (their replica
 * died) and takes them over; the students the dead replica had taken count as taken, the others are taken once. A
 * replica that finds its lease taken over stops taking students and leaves the job's row to the new holder.
 *
 * Every job ends. When the data disk falls below its free-space floor, the students not yet taken are reported
 * `not-taken` with the reason (see SnapshotTaker) instead of filling the disk to zero. When the catalog cannot record the job's
 * outcomes (its disk is full), the job ends `failed` with the reason: kept in memory, reported by `get`, and
 * written to the catalog as soon as it accepts writes again.
 */
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Job, StudentOutcome } from '@coursework/client';
import type { ExpressionBuilder } from 'kysely';
import type { Catalog } from '../catalog/catalog';
import type { CatalogSchema } from '../catalog/schema';
import { homePath } from '../homes/home-path';
import { fullSnapshotName } from '../names';
import type { Logger } from '../log';
import { mapPool } from '../util/pool';
import type { Metrics } from '../metrics';
import { BusyError } from '../util/busy';
import { describeFailure, InsufficientStorageError } from '../util/storage';
import { SnapshotQueries } from './queries';
import type { SnapshotTaker } from './take';

export type { StudentOutcome };

export interface JobParams {
  name: string;
  baseName: string;
  includeHidden: boolean;
  students: string[];
}

const PROGRESS_FLUSH_MS = 250;
/** How long a replica's claim on a job holds unless renewed (renewed three times as often). */
const LEASE_MS = 30_000;
/**
 * How often a long poll on a job run by another replica looks at its row: every tenth of the time waited so far
 * (an answer comes at most a tenth late), between these bounds.
 */
const POLL_MIN_MS = 20;
const POLL_MAX_MS = 250;
/** How often the outcome of a job the catalog could not record is offered to it again. */
const RECORD_RETRY_MS = 5000;

export interface SnapshotJobsOptions {
  courseId: string;
  /** IANA zone of the course: the date suffix of snapshot names is its local date. */
  timeZone: string;
  homeTemplate: string;
  /** The folder of each home the course's work lives in; absent: the whole home. */
  folder?: string;
  /** Glob patterns never taken, instead of the taker's own. */
  exclude?: readonly string[];
  /** Whether hidden files are taken when a request does not say (default: no). */
  includeHidden?: boolean;
  /**
   * Students of a job in flight at once: being scanned (the taker bounds how many homes are scanned at once) or
   * waiting for their rows to be committed with others'.
   */
  inFlight: number;
  /** Why the data disk is too full to start a job, or null. */
  lowSpace?: () => string | null;
  /** How often the outcome of a job the catalog refused is offered to it again (default 5 s). */
  recordRetryMs?: number;
  /** Jobs one caller may have queued or running when asking for a limited one (see `request`); default: no limit. */
  maxPerCaller?: number;
  metrics?: Pick<Metrics, 'jobs' | 'jobDuration' | 'homes' | 'homeBytes'>;
  /** This replica's name in job leases (default `local`: one replica). */
  replica?: string;
  /** How long a claim on a job holds unless renewed (default 30 s). */
  leaseMs?: number;
  now?: () => Date;
}

/** A job's state as this process knows it while it runs, and after it ended when the catalog refused its outcome. */
interface LiveJob {
  state: 'running' | 'done' | 'failed';
  error: string | null;
  results: Record<string, StudentOutcome>;
  done: number;
  bytes: number;
  startedAt: string;
  finishedAt: string | null;
  /** Another replica took the job over (this one's lease lapsed): take no more students, record nothing. */
  lost: boolean;
}

export class SnapshotJobs {
  private readonly running = new Map<string, Promise<void>>();
  /** Serialises the updates of each job's row. */
  private readonly writes = new Map<string, Promise<unknown>>();
  /** Jobs running here, and ended jobs whose outcome the catalog has not yet accepted. */
  private readonly live = new Map<string, LiveJob>();
  private retryTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly now: () => Date;
  private readonly replica: string;
  private readonly leaseMs: number;
  private readonly snapshots: SnapshotQueries;

  constructor(
    private readonly db: Catalog,
    private readonly taker: SnapshotTaker,
    private readonly options: SnapshotJobsOptions,
    private readonly log: Logger,
  ) {
    this.now = options.now ?? (() => new Date());
    this.replica = options.replica ?? 'local';
    this.leaseMs = options.leaseMs ?? LEASE_MS;
    this.snapshots = new SnapshotQueries(db, options.courseId);
  }

  /** Whether hidden files are taken when a request does not say: the course's choice. */
  get includeHiddenByDefault(): boolean {
    return this.options.includeHidden ?? false;
  }

  /** The dated name of a snapshot taken at `at` (now by default): `assignment-1` → `assignment-1_2026-11-23`. */
  nameFor(baseName: string, at: Date = this.now()): string {
    return fullSnapshotName(baseName, at, this.options.timeZone);
  }

  /**
   * Starts (or joins) a job. `students` are the requested names; those not in `roster` are reported as
   * `not-a-student` and never looked for on disk. With `limits.perCaller` (a whole course asked for through the
   * API), a caller who has `maxPerCaller` jobs running already is refused with BusyError.
   */
  async request(
    params: JobParams,
    roster: readonly string[],
    actor: string,
    limits: { perCaller?: boolean } = {},
  ): Promise<{ job: Job; joined: boolean }> {
    const students = [...new Set(params.students)].sort();
    const key = createHash('sha256')
      .update(JSON.stringify([params.name, students, params.includeHidden]))
      .digest('hex');
    const active = await this.db
      .selectFrom('jobs')
      .select('id')
      .where('course_id', '=', this.options.courseId)
      .where('dedupe_key', '=', key)
      .where('state', 'in', ['queued', 'running'])
      .executeTakeFirst();
    if (active) return { job: (await this.get(active.id))!, joined: true };
    const low = this.lowSpace();
    if (low) throw new InsufficientStorageError(`No snapshot was started: ${low}`);
    const max = this.options.maxPerCaller;
    if (limits.perCaller && max !== undefined) {
      const { running } = await this.db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<number>().as('running'))
        .where('course_id', '=', this.options.courseId)
        .where('created_by', '=', actor)
        .where('state', 'in', ['queued', 'running'])
        .executeTakeFirstOrThrow();
      if (Number(running) >= max) {
        throw new BusyError(`You have ${max} snapshot job${max === 1 ? '' : 's'} running already; ask again when one has finished`, 10);
      }
    }

    const members = new Set(roster);
    const results: Record<string, StudentOutcome> = {};
    for (const student of students) results[student] = { status: members.has(student) ? 'pending' : 'not-a-student' };
    const id = randomUUID();
    const done = Object.values(results).filter((r) => r.status !== 'pending').length;
    await this.db
      .insertInto('jobs')
      .values({
        id,
        course_id: this.options.courseId,
        kind: 'snapshot',
        dedupe_key: key,
        params: JSON.stringify({ ...params, students }),
        state: 'queued',
        total: students.length,
        done,
        bytes: 0,
        results: JSON.stringify(results),
        created_by: actor,
        created_at: this.now().toISOString(),
        started_at: null,
        finished_at: null,
        lease_owner: this.replica,
        lease_until: this.leaseUntil(),
      })
      .execute();
    this.start(id);
    return { job: (await this.get(id))!, joined: false };
  }

  async get(id: string): Promise<Job | undefined> {
    const row = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', id)
      .where('course_id', '=', this.options.courseId)
      .executeTakeFirst();
    if (!row) return undefined;
    const params = JSON.parse(row.params) as JobParams;
    const live = this.live.get(id);
    const view: Job = {
      id: row.id,
      kind: 'snapshot',
      state: live?.state ?? row.state,
      name: params.name,
      includeHidden: params.includeHidden,
      total: row.total,
      done: live?.done ?? row.done,
      bytes: live?.bytes ?? row.bytes,
      createdBy: row.created_by,
      createdAt: row.created_at,
      startedAt: live?.startedAt ?? row.started_at,
      finishedAt: live ? live.finishedAt : row.finished_at,
      students: live ? { ...live.results } : (JSON.parse(row.results) as Record<string, StudentOutcome>),
    };
    const error = live ? live.error : row.error;
    if (error) view.error = error;
    return view;
  }

  /**
   * Takes over the unfinished jobs no replica holds: those a previous run of this replica left, and those of
   * replicas whose lease lapsed. Returns the ids taken.
   */
  async resumeUnfinished(): Promise<string[]> {
    const now = this.now().toISOString();
    const claimable = await this.db
      .selectFrom('jobs')
      .select('id')
      .where('course_id', '=', this.options.courseId)
      .where('state', 'in', ['queued', 'running'])
      .where(this.claimable(now))
      .execute();
    const taken: string[] = [];
    for (const { id } of claimable) {
      // Ended here, with an outcome the catalog has not taken yet (see retryUnrecorded): not to be run again.
      if (this.running.has(id) || this.live.has(id) || !(await this.claim(id, now))) continue;
      taken.push(id);
      this.start(id);
    }
    if (taken.length > 0) this.log.info({ jobs: taken, replica: this.replica }, 'resuming unfinished snapshot jobs');
    return taken;
  }

  /** Looks for jobs to take over now, and every half lease from now on, until `stop`. */
  startSweeping(): void {
    if (this.sweepTimer) return;
    this.sweepTimer = setInterval(() => {
      this.resumeUnfinished().catch((error: unknown) =>
        this.log.warn({ err: describeFailure(error) }, 'could not look for jobs to take over'),
      );
    }, this.leaseMs / 2);
    this.sweepTimer.unref();
  }

  stopSweeping(): void {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  /**
   * Waits up to `ms` for the job to end (a long poll of its state); false if it still runs then. A job run by this
   * replica is awaited; one run by another replica is looked up in the catalog until it ends.
   */
  async settledWithin(id: string, ms: number): Promise<boolean> {
    const run = this.running.get(id);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const ended = run ? run.then(() => true) : this.endedInCatalog(id, Date.now() + ms);
    try {
      return await Promise.race([ended, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves true once the job's row says it ended (or there is none), false at `deadline`. */
  private async endedInCatalog(id: string, deadline: number): Promise<boolean> {
    const started = Date.now();
    for (;;) {
      if (this.running.has(id)) return this.running.get(id)!.then(() => true);
      const row = await this.db.selectFrom('jobs').select('state').where('id', '=', id).executeTakeFirst();
      if (!row || row.state === 'done' || row.state === 'failed') return true;
      const pause = Math.min(POLL_MAX_MS, Math.max(POLL_MIN_MS, (Date.now() - started) / 10));
      if (Date.now() + pause > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  private leaseUntil(): string {
    return new Date(this.now().getTime() + this.leaseMs).toISOString();
  }

  /** A job this replica may take: no one holds it, it holds it itself (a restart), or the holder's lease lapsed. */
  private claimable(now: string) {
    return (eb: ExpressionBuilder<CatalogSchema, 'jobs'>) =>
      eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', this.replica), eb('lease_until', '<', now)]);
  }

  /** Takes the job's lease if it is free, lapsed or this replica's own; true if taken. */
  private async claim(id: string, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({ lease_owner: this.replica, lease_until: this.leaseUntil() })
      .where('id', '=', id)
      .where('state', 'in', ['queued', 'running'])
      .where(this.claimable(now))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Renews the job's lease; false when another replica has taken the job over. */
  private async renew(id: string): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({ lease_until: this.leaseUntil() })
      .where('id', '=', id)
      .where('lease_owner', '=', this.replica)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Resolves when the job's current run ends (for tests and orderly shutdown). */
  async settled(id: string): Promise<void> {
    await this.running.get(id);
  }

  private start(id: string): void {
    if (this.running.has(id)) return;
    const run = this.run(id)
      .catch((error: unknown) => this.log.error({ err: error, job: id }, 'snapshot job stopped'))
      .finally(() => this.running.delete(id));
    this.running.set(id, run);
  }

  private async run(id: string): Promise<void> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const params = JSON.parse(row.params) as JobParams;
    const results = JSON.parse(row.results) as Record<string, StudentOutcome>;
    const pending = Object.keys(results).filter((student) => results[student]!.status === 'pending');
    // Progress lives in memory and reaches the catalog at most every PROGRESS_FLUSH_MS: writing the whole
    // results object after every student would cost O(students²). A crash loses only the unflushed outcomes,
    // and those students' snapshots (rows carrying the job id) are recognised on resume.
    const live: LiveJob = {
      state: 'running',
      error: null,
      results,
      done: Object.keys(results).length - pending.length,
      bytes: Object.values(results).reduce((sum, r) => sum + (r.bytes ?? 0), 0),
      startedAt: row.started_at ?? this.now().toISOString(),
      finishedAt: null,
      lost: false,
    };
    this.live.set(id, live);
    const renewal = setInterval(() => {
      this.renew(id).then(
        (held) => {
          if (!held && !live.lost) {
            live.lost = true;
            this.log.warn({ job: id, replica: this.replica }, 'another replica took the snapshot job over');
          }
        },
        // A renewal the catalog refuses is tried again; the lease outlasts two misses.
        (error: unknown) => this.log.warn({ job: id, err: describeFailure(error) }, 'job lease not renewed'),
      );
    }, this.leaseMs / 3);
    renewal.unref();
    try {
      await this.runHeld(id, params, results, pending, row.created_by, live);
    } finally {
      clearInterval(renewal);
    }
  }

  private async runHeld(
    id: string,
    params: JobParams,
    results: Record<string, StudentOutcome>,
    pending: string[],
    actor: string,
    live: LiveJob,
  ): Promise<void> {
    // A progress write the catalog refuses is not fatal: the next one carries the same outcomes.
    const flushProgress = () =>
      this.record(id, live).catch((error: unknown) => {
        this.log.warn({ job: id, err: describeFailure(error) }, 'job progress not recorded');
      });
    await flushProgress();
    const started = Date.now();
    let flushedAt = started;
    await mapPool(pending, this.options.inFlight, async (student) => {
      if (live.lost) return;
      const outcome = await this.takeOne(id, params, student, actor);
      results[student] = outcome;
      live.done++;
      live.bytes += outcome.bytes ?? 0;
      this.options.metrics?.homes.inc({ outcome: outcome.status });
      if (outcome.status === 'taken') this.options.metrics?.homeBytes.inc(outcome.bytes ?? 0);
      if (Date.now() - flushedAt >= PROGRESS_FLUSH_MS) {
        flushedAt = Date.now();
        await flushProgress();
      }
    });
    if (live.lost) {
      this.live.delete(id);
      return;
    }
    live.finishedAt = this.now().toISOString();
    live.state = 'done';
    this.options.metrics?.jobDuration.observe((Date.now() - started) / 1000);
    try {
      await this.record(id, live);
      this.live.delete(id);
      this.options.metrics?.jobs.inc({ state: 'done' });
      this.log.info({ job: id, name: params.name, students: Object.keys(results).length }, 'snapshot job done');
    } catch (error) {
      live.state = 'failed';
      live.error = `The catalog could not record the job's outcome: ${describeFailure(error)}`;
      this.options.metrics?.jobs.inc({ state: 'failed' });
      this.log.error({ job: id, err: live.error }, 'snapshot job failed');
      this.retryUnrecorded();
    }
  }

  /** Writes a job's outcomes and state to its row, one write per job at a time, while this replica holds it. */
  private record(id: string, live: LiveJob): Promise<unknown> {
    const values = {
      state: live.state,
      started_at: live.startedAt,
      results: JSON.stringify(live.results),
      done: live.done,
      bytes: live.bytes,
      error: live.error,
      finished_at: live.finishedAt,
    };
    return this.serialised(id, () =>
      this.db.updateTable('jobs').set(values).where('id', '=', id).where('lease_owner', '=', this.replica).execute(),
    );
  }

  /** Offers the ended jobs the catalog refused to it again, until it takes them all. */
  private retryUnrecorded(): void {
    if (this.retryTimer) return;
    this.retryTimer = setInterval(() => {
      const failed = [...this.live].filter(([, live]) => live.state === 'failed');
      if (failed.length === 0) {
        clearInterval(this.retryTimer);
        this.retryTimer = undefined;
        return;
      }
      for (const [id, live] of failed) {
        this.record(id, live).then(
          () => {
            if (this.live.get(id) === live) this.live.delete(id);
            this.log.info({ job: id }, 'failed job recorded in the catalog');
          },
          () => undefined,
        );
      }
    }, this.options.recordRetryMs ?? RECORD_RETRY_MS);
    this.retryTimer.unref();
  }

  /** Where a student's work for the course lives: their home, or the course's folder in it. */
  private homeOf(student: string): string {
    const home = homePath(this.options.homeTemplate, student);
    return this.options.folder === undefined ? home : path.join(home, this.options.folder);
  }

  private lowSpace(): string | null {
    return this.options.lowSpace?.() ?? null;
  }

  private async takeOne(jobId: string, params: JobParams, student: string, actor: string): Promise<StudentOutcome> {
    try {
      const result = await this.taker.take({
        courseId: this.options.courseId,
        student,
        home: this.homeOf(student),
        exclude: this.options.exclude,
        baseName: params.baseName,
        name: params.name,
        includeHidden: params.includeHidden,
        actor,
        jobId,
      });
      if (result.status === 'exists') return this.existingOutcome(jobId, student, params.name);
      if (result.status === 'not-taken') return { status: 'not-taken', error: `Not taken: ${result.reason}` };
      return { status: result.status, files: result.files, bytes: result.bytes, skipped: result.skipped.length };
    } catch (error) {
      const reason = describeFailure(error);
      this.log.warn({ job: jobId, student, err: reason }, 'snapshot of a student failed');
      return { status: 'failed', error: reason };
    }
  }

  /** A snapshot that exists already: this job's own (taken before a restart) counts as taken. */
  private async existingOutcome(jobId: string, student: string, name: string): Promise<StudentOutcome> {
    const existing = await this.snapshots.takenBy(student, name);
    if (existing?.jobId === jobId) {
      return { status: 'taken', files: existing.files, bytes: existing.bytes, skipped: existing.skipped };
    }
    return { status: 'exists' };
  }

  private serialised<T>(id: string, write: () => Promise<T>): Promise<T> {
    const previous = this.writes.get(id) ?? Promise.resolve();
    const next = previous.then(write, write);
    this.writes.set(id, next);
    const forget = () => {
      if (this.writes.get(id) === next) this.writes.delete(id);
    };
    next.then(forget, forget);
    return next;
  }
}
