/**
 * Who may do what: the one place where the service decides.
 *
 * A caller is a Hub identity (user or service) seen through one course. Roles come from Hub scopes and groups:
 * - instructor: holds the `custom:coursework:instruct` scope and, for a user, belongs to the course's instructors
 *   group (a Hub service holding the scope, e.g. an LMS integration, acts for every course);
 * - student: belongs to the course's students group.
 * Nobody gets anything but public operations without one of the service's access scopes, because the proxy lets
 * every request through (JupyterHub only checks access at the OAuth authorize step).
 */
import type { Course } from '../config';
import type { HubIdentity } from '../hub/client';

export const INSTRUCT_SCOPE = 'custom:coursework:instruct';
/** JupyterHub's own scope for reading metrics: what Prometheus's token holds. */
export const METRICS_SCOPE = 'read:metrics';

export type Role = 'instructor' | 'student';

/**
 * `public`: anyone; `member`: any caller with access to the service; `metrics`: callers holding `read:metrics` (as
 * for JupyterHub's own metrics); a list: callers holding one of the roles, where `owner` is the student a resource
 * belongs to (for snapshots, only when the admin lets students see theirs).
 */
export type Audience = 'public' | 'member' | 'metrics' | readonly (Role | 'owner')[];

/** Every route of the service, by operation id (the OpenAPI operationId for API routes). */
export const POLICY = {
  getHealth: 'public',
  getMetrics: 'metrics',
  getOpenApi: 'public',
  getApiDocs: 'public',
  oauthCallback: 'public',
  logout: 'member',
  getHome: 'member',
  getMe: 'member',
  // A link carries its maker's rights, checked again when it is used.
  createDownloadLink: 'member',
  listStudents: ['instructor'],
  getAudit: ['instructor'],
  // Reads every blob of the store (and repairs from homes): the course's instructors answer for its store.
  checkStore: ['instructor'],
  createSnapshots: ['instructor'],
  getJob: ['instructor'],
  listStudentSnapshots: ['instructor', 'owner'],
  getStudentSnapshot: ['instructor', 'owner'],
  listSnapshotFiles: ['instructor', 'owner'],
  getSnapshotFile: ['instructor', 'owner'],
  getStudentSnapshotZip: ['instructor', 'owner'],
  deleteStudentSnapshot: ['instructor'],
  getSnapshotNameZip: ['instructor'],
  listStudentFeedback: ['instructor'],
  getStudentFeedback: ['instructor'],
  releaseFeedback: ['instructor'],
  putFeedbackFile: ['instructor'],
  getStudentFeedbackFile: ['instructor'],
  rescheduleStudentFeedback: ['instructor'],
  withdrawFeedback: ['instructor'],
  withdrawFeedbackFile: ['instructor'],
  releaseFeedbackZip: ['instructor'],
  rescheduleFeedback: ['instructor'],
  listAssignments: ['instructor'],
  createAssignment: ['instructor'],
  getAssignment: ['instructor'],
  updateAssignment: ['instructor'],
  deleteAssignment: ['instructor'],
  grantExtension: ['instructor'],
  revokeExtension: ['instructor'],
  getAssignmentStatus: ['instructor'],
  // An LMS calls it with a Hub service token holding the instruct scope.
  triggerAssignment: ['instructor'],
  // Every member asks for their own: the answers only ever hold the caller's feedback and due times.
  listMyFeedback: 'member',
  getMyFeedbackFile: 'member',
  listMyAssignments: 'member',
  // The seed API: instructors (and the configured compatibility key) only.
  compatSnapshotList: ['instructor'],
  compatSnapshotFileList: ['instructor'],
  compatSnapshotFile: ['instructor'],
  compatSnapshotZip: ['instructor'],
  compatSnapshot: ['instructor'],
  compatSnapshotAll: ['instructor'],
  compatPutStudentReport: ['instructor'],
} as const satisfies Record<string, Audience>;

export type Operation = keyof typeof POLICY;

export interface Caller {
  identity: HubIdentity;
  hasAccess: boolean;
  roles: Role[];
}

export type Decision = 'allow' | 'unauthenticated' | 'no-access' | 'forbidden';

export function callerFor(identity: HubIdentity, course: Course, accessScopes: readonly string[]): Caller {
  const roles: Role[] = [];
  const instructs = identity.scopes.includes(INSTRUCT_SCOPE);
  if (instructs && (identity.kind === 'service' || identity.groups.includes(course.instructorsGroup))) {
    roles.push('instructor');
  }
  if (identity.kind === 'user' && identity.groups.includes(course.studentsGroup)) roles.push('student');
  return { identity, hasAccess: identity.scopes.some((scope) => accessScopes.includes(scope)), roles };
}

/** What an operation touches, where that matters: the student who owns it. */
export interface Resource {
  owner?: string;
  /** Whether owners may use `owner` operations at all (COURSEWORK_ALLOW_STUDENT_SNAPSHOTS). */
  ownerAccess: boolean;
}

export function decide(operation: Operation, caller: Caller | undefined, resource: Resource = { ownerAccess: false }): Decision {
  const audience: Audience = POLICY[operation];
  if (audience === 'public') return 'allow';
  if (!caller) return 'unauthenticated';
  if (audience === 'metrics') return caller.identity.scopes.includes(METRICS_SCOPE) ? 'allow' : 'forbidden';
  if (!caller.hasAccess) return 'no-access';
  if (audience === 'member') return 'allow';
  const isOwner = resource.ownerAccess && resource.owner === caller.identity.name && caller.roles.includes('student');
  return audience.some((who) => (who === 'owner' ? isOwner : caller.roles.includes(who))) ? 'allow' : 'forbidden';
}

/** The operations a caller may perform (on their own resources, for owner operations), for `GET me` and the UI. */
export function permissionsOf(caller: Caller, ownerAccess: boolean): Operation[] {
  const own: Resource = { owner: caller.identity.name, ownerAccess };
  return (Object.keys(POLICY) as Operation[]).filter((op) => POLICY[op] !== 'public' && decide(op, caller, own) === 'allow');
}
