/** A student's assignment as `GET me/assignments` answers it, for the library's unit tests. */
import type { CourseRef, MyAssignment } from '@coursework/client';

export const DEMO_COURSE: CourseRef = { id: 'demo-101', title: 'Demo 101' };

/** Upcoming, not extended, nothing captured or submitted, unless `more` says otherwise. */
export const myAssignment = (id: string, dueAt: string, more: Partial<MyAssignment> = {}): MyAssignment => ({
  id,
  course: DEMO_COURSE,
  title: id.toUpperCase(),
  dueAt,
  dueAtLocal: `${dueAt.slice(0, 16).replace('T', ' ')} (UTC)`,
  extended: false,
  status: 'upcoming',
  receipt: null,
  submission: null,
  ...more,
});
