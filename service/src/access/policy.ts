/**
 * Who may do what: the one place where the service decides.
 *
 * A caller is a Hub identity (user or service) seen through one course. Roles in a course come from its Hub groups
 * (instructors, graders, students) and from the roster Coursework keeps for it; the teaching roles (instructor,
 * grader) also need a token that holds `custom:coursework:instruct`, so that a token made with fewer scopes acts at
 * most as a student. A Hub service holding that scope (an LMS integration) is an instructor of every course.
 * Course admins (Hub admins, and holders of `custom:coursework:admin`) create courses and manage any course.
 * Nobody gets anything but public operations without one of the service's access scopes, because the proxy lets
 * every request through (JupyterHub only checks access at the OAuth authorize step).
 */
import type { HubIdentity } from '../hub/client';

export const INSTRUCT_SCOPE = 'custom:coursework:instruct';
export const ADMIN_SCOPE = 'custom:coursework:admin';
/** JupyterHub's own scope for reading metrics: what Prometheus's token holds. */
export const METRICS_SCOPE = 'read:metrics';

export type Role = 'instructor' | 'grader' | 'student';

/**
 * `public`: anyone; `member`: any caller with access to the service; `metrics`: callers holding `read:metrics` (as
 * for JupyterHub's own metrics); a list: callers holding one of the roles, where `owner` is the student a resource
 * belongs to (for snapshots, only when the admin lets students see theirs), `self` a member of the course asking
 * about themselves (their own submissions and feedback in nbgrader's exchange), and `courseAdmin` a course admin.
 */
export type Audience = 'public' | 'member' | 'metrics' | readonly (Role | 'owner' | 'self' | 'courseAdmin')[];

/** Those who teach a course; graders read, download and release feedback, but change nothing else. */
const TEACHING = ['instructor', 'grader'] as const;
/** Everyone with a role in the course, and the course admins. */
const IN_COURSE = ['instructor', 'grader', 'student', 'courseAdmin'] as const;

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
  // Courses: everyone sees the courses they have a role in (course admins: all); only course admins create one.
  listCourses: 'member',
  createCourse: ['courseAdmin'],
  getCourse: ['instructor', 'grader', 'student', 'courseAdmin'],
  updateCourse: ['instructor', 'courseAdmin'],
  deleteCourse: ['instructor', 'courseAdmin'],
  listRoster: [...TEACHING, 'courseAdmin'],
  putRosterMember: ['instructor', 'courseAdmin'],
  removeRosterMember: ['instructor', 'courseAdmin'],
  addRosterMembers: ['instructor', 'courseAdmin'],
  listStudents: TEACHING,
  getAudit: ['instructor'],
  // Reads every blob of the store (and repairs from homes): the course's instructors answer for its store.
  checkStore: ['instructor'],
  createSnapshots: ['instructor'],
  getJob: TEACHING,
  listSnapshots: TEACHING,
  listStudentSnapshots: [...TEACHING, 'owner'],
  getStudentSnapshot: [...TEACHING, 'owner'],
  listSnapshotFiles: [...TEACHING, 'owner'],
  getSnapshotFile: [...TEACHING, 'owner'],
  getStudentSnapshotZip: [...TEACHING, 'owner'],
  deleteStudentSnapshot: ['instructor'],
  getSnapshotNameZip: TEACHING,
  listStudentFeedback: TEACHING,
  getStudentFeedback: TEACHING,
  releaseFeedback: TEACHING,
  putFeedbackFile: TEACHING,
  getStudentFeedbackFile: TEACHING,
  rescheduleStudentFeedback: ['instructor'],
  withdrawFeedback: ['instructor'],
  withdrawFeedbackFile: ['instructor'],
  releaseFeedbackZip: TEACHING,
  rescheduleFeedback: ['instructor'],
  listAssignments: TEACHING,
  createAssignment: ['instructor'],
  getAssignment: TEACHING,
  updateAssignment: ['instructor'],
  deleteAssignment: ['instructor'],
  grantExtension: ['instructor'],
  revokeExtension: ['instructor'],
  getAssignmentStatus: TEACHING,
  getClassStatus: TEACHING,
  getStudentTimeline: TEACHING,
  getClassChanges: TEACHING,
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
  // nbgrader's exchange (the ngshare API). Courses and instructors are the course admins' (ngshare's `--admins`);
  // rosters the instructors'; students fetch, submit as themselves, and read only their own submissions and feedback.
  exchangeHealth: 'public',
  exchangeListCourses: 'member',
  exchangeCreateCourse: ['courseAdmin'],
  exchangeDeleteCourse: ['courseAdmin'],
  exchangeListInstructors: IN_COURSE,
  exchangeGetInstructor: IN_COURSE,
  exchangePutInstructor: ['courseAdmin'],
  exchangeRemoveInstructor: ['courseAdmin'],
  exchangeListStudents: [...TEACHING, 'courseAdmin'],
  exchangeGetStudent: [...TEACHING, 'self', 'courseAdmin'],
  exchangePutStudent: ['instructor', 'courseAdmin'],
  exchangeAddStudents: ['instructor', 'courseAdmin'],
  exchangeRemoveStudent: ['instructor', 'courseAdmin'],
  exchangeListAssignments: IN_COURSE,
  exchangeFetchAssignment: IN_COURSE,
  exchangeReleaseAssignment: ['instructor', 'courseAdmin'],
  exchangeUnreleaseAssignment: ['instructor', 'courseAdmin'],
  exchangeListSubmissions: [...TEACHING, 'courseAdmin'],
  exchangeListStudentSubmissions: [...TEACHING, 'self', 'courseAdmin'],
  exchangeSubmit: ['student', 'instructor'],
  exchangeGetSubmission: [...TEACHING, 'courseAdmin'],
  exchangeReleaseFeedback: [...TEACHING, 'courseAdmin'],
  exchangeGetFeedback: [...TEACHING, 'self', 'courseAdmin'],
} as const satisfies Record<string, Audience>;

export type Operation = keyof typeof POLICY;

export interface Caller {
  identity: HubIdentity;
  hasAccess: boolean;
  /** Roles in the course the request is about. */
  roles: Role[];
  courseAdmin: boolean;
}

export type Decision = 'allow' | 'unauthenticated' | 'no-access' | 'forbidden';

/** A course as the policy sees it: its Hub groups. */
export interface CourseGroups {
  instructors: string;
  graders: string | null;
  students: string;
}

/** The roles `identity` holds in the course with `groups`, given its role on the roster Coursework keeps (if any). */
export function rolesIn(identity: HubIdentity, groups: CourseGroups, kept: Role | undefined): Role[] {
  const mayTeach = identity.scopes.includes(INSTRUCT_SCOPE);
  if (identity.kind === 'service') return mayTeach ? ['instructor'] : [];
  const held = new Set<Role>();
  if (identity.groups.includes(groups.instructors)) held.add('instructor');
  if (groups.graders !== null && identity.groups.includes(groups.graders)) held.add('grader');
  if (identity.groups.includes(groups.students)) held.add('student');
  if (kept) held.add(kept);
  if (!mayTeach) {
    held.delete('instructor');
    held.delete('grader');
  }
  return (['instructor', 'grader', 'student'] as const).filter((role) => held.has(role));
}

/** Hub admins (with a token that may administer users) and holders of the admin scope. */
export function isCourseAdmin(identity: HubIdentity): boolean {
  return identity.scopes.includes(ADMIN_SCOPE) || (identity.admin && identity.scopes.includes('admin:users'));
}

/** A caller before their course is known: no roles yet (the guard reads them for the request's course). */
export function callerFor(identity: HubIdentity, accessScopes: readonly string[]): Caller {
  return {
    identity,
    hasAccess: identity.scopes.some((scope) => accessScopes.includes(scope)),
    roles: [],
    courseAdmin: isCourseAdmin(identity),
  };
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
  const isSelf = resource.owner === caller.identity.name && caller.roles.length > 0;
  const holds = (who: Role | 'owner' | 'self' | 'courseAdmin') =>
    who === 'owner' ? isOwner : who === 'self' ? isSelf : who === 'courseAdmin' ? caller.courseAdmin : caller.roles.includes(who);
  return audience.some(holds) ? 'allow' : 'forbidden';
}

/** The operations a caller may perform (on their own resources, for owner operations), for `GET me` and the UI. */
export function permissionsOf(caller: Caller, ownerAccess: boolean): Operation[] {
  const own: Resource = { owner: caller.identity.name, ownerAccess };
  return (Object.keys(POLICY) as Operation[]).filter((op) => POLICY[op] !== 'public' && decide(op, caller, own) === 'allow');
}
