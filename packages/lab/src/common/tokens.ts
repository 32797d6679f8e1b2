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

/** Whether `me` may use the instructor panel: take and read every student's snapshots. */
export function isInstructor(me: Me): boolean {
  return me.roles.includes('instructor') && ['listStudents', 'createSnapshots', 'getJob'].every((op) => me.permissions.includes(op));
}
