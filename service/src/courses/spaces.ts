/**
 * Each course's working parts: its roster, snapshot jobs, feedback releases and delivery, assignments and capture
 * scheduler. Built for a course on first use and kept; every live course's are started with the service (unfinished
 * jobs resumed, deliveries and captures scheduled), and a course created later starts when first used.
 */
import { createAssignmentServices, type AssignmentServices } from '../assignments/services';
import type { BlobStore } from '../blobs/blob-store';
import type { Catalog } from '../catalog/catalog';
import type { Config } from '../config';
import { createFeedbackServices } from '../feedback/services';
import type { GroupLookups } from '../hub/group-cache';
import type { Logger } from '../log';
import type { Leases } from '../replicas/leases';
import type { Metrics } from '../metrics';
import type { SnapshotJobs } from '../snapshots/jobs';
import { ManifestCache } from '../snapshots/manifest-cache';
import { SnapshotQueries } from '../snapshots/queries';
import { createSnapshotJobs } from '../snapshots/services';
import type { SnapshotTaker } from '../snapshots/take';
import { Roster } from '../students/roster';
import type { CourseRecord, Courses } from './courses';

export interface CourseSpace {
  course: CourseRecord;
  /** The course's time zone, or the service's default. */
  timeZone: string;
  roster: Roster;
  snapshots: SnapshotQueries;
  jobs: SnapshotJobs;
  feedback: ReturnType<typeof createFeedbackServices>;
  assignments: AssignmentServices;
}

export interface SharedParts {
  config: Config;
  catalog: Catalog;
  blobs: BlobStore;
  taker: SnapshotTaker;
  /** The Hub's groups, kept briefly: one cache for the whole service. */
  groups: GroupLookups;
  courses: Courses;
  log: Logger;
  metrics?: Metrics;
  /** Work one replica at a time does (a course's feedback delivery). */
  leases?: Leases;
}

export class CourseSpaces {
  private readonly spaces = new Map<string, CourseSpace>();
  private started = false;
  /** Shared by every course: a manifest's digest names its exact text. */
  private readonly manifests: ManifestCache;

  constructor(private readonly shared: SharedParts) {
    this.manifests = new ManifestCache(shared.config.snapshots.manifestCacheEntries);
  }

  /** The course's parts, built afresh (and restarted) when the course changed since they were built. */
  of(course: CourseRecord): CourseSpace {
    const known = this.spaces.get(course.id);
    if (known && known.course.updatedAt === course.updatedAt) return known;
    if (known) this.stopLoops(known);
    const space = this.build(course);
    this.spaces.set(course.id, space);
    if (this.started) void this.start(space);
    return space;
  }

  /** Starts every live course's parts: resumes their unfinished jobs, schedules their deliveries and captures. */
  async startAll(): Promise<void> {
    this.started = true;
    for (const course of await this.shared.courses.list()) await this.start(this.of(course));
  }

  stopAll(): void {
    this.started = false;
    for (const space of this.spaces.values()) this.stopLoops(space);
  }

  /** A deleted course: its deliveries and captures stop. */
  forget(courseId: string): void {
    const space = this.spaces.get(courseId);
    if (space) this.stopLoops(space);
    this.spaces.delete(courseId);
  }

  private async start(space: CourseSpace): Promise<void> {
    try {
      await space.jobs.resumeUnfinished();
    } catch (error) {
      this.shared.log.error({ err: error, course: space.course.id }, 'could not resume the unfinished snapshot jobs');
    }
    space.jobs.startSweeping();
    space.feedback.delivery.start();
    space.assignments.scheduler.start();
  }

  private stopLoops(space: CourseSpace): void {
    space.jobs.stopSweeping();
    space.feedback.delivery.stop();
    space.assignments.scheduler.stop();
  }

  private build(course: CourseRecord): CourseSpace {
    const { config, catalog, blobs, taker, groups, courses, log, metrics, leases } = this.shared;
    const timeZone = course.timeZone ?? config.snapshots.timeZone;
    const scoped = { id: course.id, timeZone };
    const roster = new Roster(groups, course.groups.students, log, () => courses.keptStudents(course.id));
    const { capture } = course;
    const jobs = createSnapshotJobs(
      config,
      catalog,
      taker,
      blobs,
      {
        ...scoped,
        folder: capture.folder?.replaceAll('{course}', course.id),
        exclude: capture.exclude ?? undefined,
        includeHidden: capture.includeHidden ?? undefined,
      },
      log,
      metrics,
    );
    return {
      course,
      timeZone,
      roster,
      snapshots: new SnapshotQueries(catalog, course.id, this.manifests),
      jobs,
      feedback: createFeedbackServices(config, catalog, blobs, course.id, log, { metrics, leases }),
      assignments: createAssignmentServices(catalog, scoped, jobs, roster, log),
    };
  }
}
