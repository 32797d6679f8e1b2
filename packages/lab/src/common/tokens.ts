/** What the Coursework plugins share: the connection to the service and who the user is in the course. */
import type { Me } from '@coursework/client';
import { Token } from '@lumino/coreutils';
import type { ServiceConnection } from './connection';

export interface ICoursework {
  /** The service, or why it cannot be reached (JupyterLab not under a Hub). */
  readonly connection: ServiceConnection | null;
  readonly connectionError: unknown;
  /** The user as the service sees them; rejects when the service cannot be reached or refuses. */
  readonly me: Promise<Me>;
}

export const ICoursework = new Token<ICoursework>('@coursework/lab:ICoursework', 'The Coursework service as this user reaches it.');

/** A course the user teaches (as instructor or grader): the courses the instructor panel switches between. */
export type TaughtCourse = Me['courses'][number];

/** The courses `me` teaches, the default course first. */
export function taughtCourses(me: Me): TaughtCourse[] {
  const taught = (me.courses ?? []).filter((c) => c.roles.includes('instructor') || c.roles.includes('grader'));
  return [...taught.filter((c) => c.default), ...taught.filter((c) => !c.default)];
}

/** Whether `me` teaches a course: the instructor panel, the snapshots browser and releasing feedback are for them. */
export function teachesACourse(me: Me): boolean {
  return taughtCourses(me).length > 0;
}

/** The course to open the panel on: the one chosen last time if still taught, else the first. */
export function initialCourse(taught: readonly TaughtCourse[], remembered: string | null): TaughtCourse | undefined {
  return taught.find((c) => c.id === remembered) ?? taught[0];
}
