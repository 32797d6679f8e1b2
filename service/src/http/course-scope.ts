/**
 * Which API routes are about one course's resources. Each of them is served at `api/v1/courses/{course}/…` for
 * any course, and at `api/v1/…` for the default course (the one the settings name), as before there were courses.
 */
import type { Operation } from '../access/policy';

/** API routes about the caller, the courses themselves or the whole service: one path each. */
const NOT_IN_A_COURSE: ReadonlySet<Operation> = new Set<Operation>([
  'getOpenApi',
  'getMe',
  'createDownloadLink',
  'checkStore',
  'listCourses',
  'createCourse',
  'getCourse',
  'updateCourse',
  'deleteCourse',
  'listRoster',
  'addRosterMembers',
  'putRosterMember',
  'removeRosterMember',
  'listMyFeedback',
  'getMyFeedbackFile',
  'listMyAssignments',
]);

const API = '/api/v1/';

/** The name of an operation's route (and OpenAPI operation) under `courses/{course}`. */
export const inCourseName = (operation: Operation): string => `${operation}InCourse`;

/**
 * The course-scoped path of an API route about one course's resources (`/api/v1/students` →
 * `/api/v1/courses/:course/students`, or with `{course}` for OpenAPI); undefined for any other route.
 */
export function inCoursePath(operation: Operation, path: string, parameter = ':course'): string | undefined {
  if (!path.startsWith(API) || NOT_IN_A_COURSE.has(operation)) return undefined;
  return `${API}courses/${parameter}/${path.slice(API.length)}`;
}
