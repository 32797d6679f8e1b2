/** Assignments' parts: the store, the scheduler, the status reader, the students' timelines and the changes feed. */
import type { Catalog } from '../catalog/catalog';
import type { Logger } from '../log';
import type { SnapshotJobs } from '../snapshots/jobs';
import type { Roster } from '../students/roster';
import { CaptureScheduler } from './scheduler';
import { AssignmentStatusReader } from './status';
import { AssignmentStore } from './store';
import { StudentTimelineReader } from './timeline';
import { ClassChangesFeed } from './changes';

export interface AssignmentServices {
  store: AssignmentStore;
  scheduler: CaptureScheduler;
  status: AssignmentStatusReader;
  timeline: StudentTimelineReader;
  changes: ClassChangesFeed;
}

/** One course's assignments, in its time zone. */
export function createAssignmentServices(
  catalog: Catalog,
  course: { id: string; timeZone: string },
  jobs: SnapshotJobs,
  roster: Pick<Roster, 'studentNames'>,
  log: Logger,
  now?: () => Date,
): AssignmentServices {
  const { id: courseId, timeZone } = course;
  const store = new AssignmentStore(catalog, courseId, timeZone, now);
  const scheduler = new CaptureScheduler(catalog, store, jobs, roster, { courseId, timeZone, now }, log);
  return {
    store,
    scheduler,
    status: new AssignmentStatusReader(catalog, store, courseId, timeZone, now),
    timeline: new StudentTimelineReader(catalog, store, courseId, now),
    changes: new ClassChangesFeed(catalog, courseId),
  };
}
