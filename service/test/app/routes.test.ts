/**
 * Every route × every kind of caller, through the real app and the real policy, with the Hub replaced by a table
 * of tokens. The expectations are written out here, independently of access/policy, so a change to either
 * that lets someone in (or locks someone out) fails this test.
 */
import type { Layer } from '@koa/router';
import { POLICY, type Operation } from '../../src/access/policy';
import { type CallerName, type InProcessApp, SEEDED, startInProcessApp, tokenOf } from '../support/in-process';
import { HubOAuth } from '../../src/http/oauth';
import { createRouter } from '../../src/http/routes';
import { openApiDocument } from '../../src/http/openapi/document';

type Who = 'anonymous' | 'badToken' | CallerName;
const WHO: Who[] = [
  'anonymous',
  'badToken',
  'noAccess',
  'outsider',
  'student',
  'scopeWithoutGroup',
  'instructor',
  'grader',
  'courseAdmin',
  'lmsService',
];

interface Row {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  form?: Record<string, string>;
  expect: Record<Who, number>;
}

const everyone = (status: number) => Object.fromEntries(WHO.map((w) => [w, status])) as Record<Who, number>;
/** Instructors (users in the group, and services with the scope) get `status`; everyone else is refused. */
const instructorsOnly = (status: number): Record<Who, number> => ({
  anonymous: 401,
  badToken: 401,
  noAccess: 403,
  outsider: 403,
  student: 403,
  scopeWithoutGroup: 403,
  instructor: status,
  grader: 403,
  courseAdmin: 403,
  lmsService: status,
});
/** Instructors and graders: those who teach the course. */
const teaching = (status: number): Record<Who, number> => ({ ...instructorsOnly(status), grader: status });
/** Who manages the course: its instructors and the course admins. */
const managers = (status: number): Record<Who, number> => ({ ...instructorsOnly(status), courseAdmin: status });
const snapshot = `api/v1/students/${SEEDED.student}/snapshots/${SEEDED.name}`;
const members = (status: number): Record<Who, number> => ({ ...everyone(status), anonymous: 401, badToken: 401, noAccess: 403 });
const feedback = 'api/v1/students/student2/feedback';
const later = { releaseAt: '2030-01-01T00:00:00Z', dueAt: '2030-01-01T00:00:00Z' };
const seedOnly = (status: number): Record<Who, number> => ({ ...everyone(401), instructor: status, lmsService: status });
/** Everyone with a role in the default course (student1 is its student), and the course admins. */
const inCourse = (status: number): Record<Who, number> => ({ ...teaching(status), student: status, courseAdmin: status });
/** Those who teach the course and the course admins; with `self`, also the student asking about themselves. */
const teachingOrAdmin = (status: number, self = false): Record<Who, number> => ({
  ...teaching(status),
  courseAdmin: status,
  ...(self && { student: status }),
});
const adminOnly = (status: number): Record<Who, number> => ({ ...members(403), courseAdmin: status });
const profile = { first_name: '', last_name: '', email: '' };
const stamp = 'timestamp=2026-01-01%2000%3A00%3A00.000000';

const TABLE: Record<Operation, Row> = {
  getHealth: { method: 'GET', path: 'health', expect: everyone(200) },
  getOpenApi: { method: 'GET', path: 'api/v1/openapi.json', expect: everyone(200) },
  getApiDocs: { method: 'GET', path: 'api/docs', expect: everyone(200) },
  // Only a token holding read:metrics (Prometheus's), which none of these callers has.
  getMetrics: { method: 'GET', path: 'metrics', expect: { ...everyone(403), anonymous: 401, badToken: 401 } },
  // Without code and state: refused as a bad callback, whoever asks.
  oauthCallback: { method: 'GET', path: 'oauth_callback', expect: everyone(400) },
  getHome: {
    method: 'GET',
    path: '',
    expect: { ...members(200), anonymous: 302 },
  },
  getMe: {
    method: 'GET',
    path: 'api/v1/me',
    expect: members(200),
  },
  logout: {
    method: 'POST',
    path: 'logout',
    expect: members(204),
  },
  listCourses: { method: 'GET', path: 'api/v1/courses', expect: members(200) },
  // An invalid id: refused before anything is stored, to course admins; the others may not create courses at all.
  createCourse: {
    method: 'POST',
    path: 'api/v1/courses',
    body: { id: '../x' },
    expect: { ...instructorsOnly(403), courseAdmin: 400, lmsService: 403 },
  },
  getCourse: { method: 'GET', path: 'api/v1/courses/default', expect: { ...managers(200), grader: 200, student: 200 } },
  updateCourse: { method: 'PATCH', path: 'api/v1/courses/default', body: { timeZone: 'UTC' }, expect: managers(200) },
  // The default course is the settings' own: never deleted.
  deleteCourse: { method: 'DELETE', path: 'api/v1/courses/default', expect: managers(409) },
  listRoster: { method: 'GET', path: 'api/v1/courses/default/roster', expect: { ...teaching(200), courseAdmin: 200 } },
  addRosterMembers: { method: 'POST', path: 'api/v1/courses/default/roster', body: { members: [] }, expect: managers(200) },
  // A name JupyterHub could not have: refused before anything is stored.
  putRosterMember: {
    method: 'PUT',
    path: 'api/v1/courses/default/roster/Not%20A%20Name',
    body: { role: 'student' },
    expect: managers(400),
  },
  removeRosterMember: { method: 'DELETE', path: 'api/v1/courses/default/roster/nobody', expect: managers(404) },
  listStudents: { method: 'GET', path: 'api/v1/students', expect: teaching(200) },
  createDownloadLink: {
    method: 'POST',
    path: 'api/v1/download-links',
    body: { path: `${snapshot}/zip` },
    expect: members(201),
  },
  getAudit: { method: 'GET', path: 'api/v1/audit?action=snapshot.', expect: instructorsOnly(200) },
  checkStore: { method: 'POST', path: 'api/v1/check', body: { readDataSubset: 'none', repair: false }, expect: instructorsOnly(200) },
  createSnapshots: {
    method: 'POST',
    path: 'api/v1/snapshots',
    body: { name: 'table test', students: ['student2'] },
    expect: instructorsOnly(202),
  },
  getJob: { method: 'GET', path: 'api/v1/jobs/00000000-0000-0000-0000-000000000000', expect: teaching(404) },
  listSnapshots: { method: 'GET', path: 'api/v1/snapshots', expect: teaching(200) },
  listStudentSnapshots: { method: 'GET', path: `api/v1/students/${SEEDED.student}/snapshots`, expect: teaching(200) },
  getStudentSnapshot: { method: 'GET', path: snapshot, expect: teaching(200) },
  deleteStudentSnapshot: {
    method: 'DELETE',
    path: `api/v1/students/${SEEDED.student}/snapshots/never_2026-01-01`,
    expect: instructorsOnly(404),
  },
  listSnapshotFiles: { method: 'GET', path: `${snapshot}/files`, expect: teaching(200) },
  getSnapshotFile: { method: 'GET', path: `${snapshot}/files/${SEEDED.file}`, expect: teaching(200) },
  getStudentSnapshotZip: { method: 'GET', path: `${snapshot}/zip`, expect: teaching(200) },
  getSnapshotNameZip: { method: 'GET', path: `api/v1/snapshots/${SEEDED.name}/zip`, expect: teaching(200) },
  // The seed API answers every refusal with its own 401.
  compatSnapshotList: { method: 'POST', path: 'get_snapshot_list', form: { STUDENT_ID: SEEDED.student }, expect: seedOnly(200) },
  compatSnapshotFileList: {
    method: 'POST',
    path: 'get_snapshot_file_list',
    form: { STUDENT_ID: SEEDED.student, SNAPSHOT_NAME: SEEDED.name },
    expect: seedOnly(200),
  },
  compatSnapshotFile: {
    method: 'POST',
    path: 'get_snapshot_file',
    form: { STUDENT_ID: SEEDED.student, SNAPSHOT_NAME: SEEDED.name, SNAPSHOT_FILENAME: SEEDED.file },
    expect: seedOnly(200),
  },
  compatSnapshotZip: { method: 'POST', path: 'get_snapshot_zip', form: { SNAPSHOT_NAME: SEEDED.name }, expect: seedOnly(200) },
  // Missing SNAPSHOT_NAME: authorised callers get the seed's 406, nothing is taken.
  compatSnapshot: { method: 'POST', path: 'snapshot', form: { STUDENT_ID: 'student2' }, expect: seedOnly(406) },
  compatSnapshotAll: { method: 'POST', path: 'snapshot_all', form: {}, expect: seedOnly(406) },
  // Without the file: the seed's 406.
  compatPutStudentReport: { method: 'POST', path: 'put_student_report', form: { STUDENT_ID: 'student2' }, expect: seedOnly(406) },
  exchangeHealth: { method: 'GET', path: 'ngshare/healthz', expect: everyone(200) },
  exchangeListCourses: { method: 'GET', path: 'ngshare/courses', expect: members(200) },
  exchangeCreateCourse: { method: 'POST', path: 'ngshare/course/from-nbgrader', form: { instructors: '[]' }, expect: adminOnly(200) },
  exchangeDeleteCourse: { method: 'DELETE', path: 'ngshare/course/never-was', expect: adminOnly(404) },
  exchangeListInstructors: { method: 'GET', path: 'ngshare/instructors/default', expect: inCourse(200) },
  exchangeGetInstructor: { method: 'GET', path: 'ngshare/instructor/default/nobody', expect: inCourse(404) },
  exchangePutInstructor: { method: 'POST', path: 'ngshare/instructor/default/newcomer', form: profile, expect: adminOnly(200) },
  exchangeRemoveInstructor: { method: 'DELETE', path: 'ngshare/instructor/default/nobody', expect: adminOnly(404) },
  exchangeListStudents: { method: 'GET', path: 'ngshare/students/default', expect: teachingOrAdmin(200) },
  exchangeGetStudent: { method: 'GET', path: 'ngshare/student/default/student1', expect: teachingOrAdmin(200, true) },
  exchangePutStudent: { method: 'POST', path: 'ngshare/student/default/student9', form: profile, expect: managers(200) },
  exchangeAddStudents: { method: 'POST', path: 'ngshare/students/default', form: { students: '[]' }, expect: managers(200) },
  exchangeRemoveStudent: { method: 'DELETE', path: 'ngshare/student/default/nobody', expect: managers(404) },
  exchangeListAssignments: { method: 'GET', path: 'ngshare/assignments/default', expect: inCourse(200) },
  exchangeFetchAssignment: { method: 'GET', path: 'ngshare/assignment/default/nope', expect: inCourse(404) },
  exchangeReleaseAssignment: { method: 'POST', path: 'ngshare/assignment/default/ps9', form: { files: 'not json' }, expect: managers(400) },
  exchangeUnreleaseAssignment: { method: 'DELETE', path: 'ngshare/assignment/default/nope', expect: managers(404) },
  exchangeListSubmissions: { method: 'GET', path: 'ngshare/submissions/default/nope', expect: teachingOrAdmin(200) },
  exchangeListStudentSubmissions: { method: 'GET', path: 'ngshare/submissions/default/nope/student1', expect: teachingOrAdmin(200, true) },
  exchangeSubmit: {
    method: 'POST',
    path: 'ngshare/submission/default/nope',
    form: { files: '[]' },
    expect: { ...instructorsOnly(404), student: 404 },
  },
  exchangeGetSubmission: { method: 'GET', path: 'ngshare/submission/default/nope/student1', expect: teachingOrAdmin(404) },
  exchangeReleaseFeedback: {
    method: 'POST',
    path: 'ngshare/feedback/default/nope/student1',
    form: { timestamp: '2026-01-01 00:00:00.000000', files: '[]' },
    expect: teachingOrAdmin(404),
  },
  exchangeGetFeedback: { method: 'GET', path: `ngshare/feedback/default/nope/student1?${stamp}`, expect: teachingOrAdmin(404, true) },
  listStudentFeedback: { method: 'GET', path: feedback, expect: teaching(200) },
  getStudentFeedback: { method: 'GET', path: `${feedback}/never`, expect: teaching(404) },
  // Not multipart: refused with a 400 that says how to send files.
  releaseFeedback: { method: 'POST', path: `${feedback}/hw1`, body: {}, expect: teaching(400) },
  putFeedbackFile: {
    method: 'PUT',
    path: `${feedback}/table/files/notes.json?releaseAt=2030-01-01T00:00:00Z`,
    body: { note: 1 },
    expect: teaching(201),
  },
  getStudentFeedbackFile: { method: 'GET', path: `${feedback}/never/files/a.txt`, expect: teaching(404) },
  rescheduleStudentFeedback: { method: 'PATCH', path: `${feedback}/hw1`, body: later, expect: instructorsOnly(200) },
  withdrawFeedback: { method: 'DELETE', path: `${feedback}/never`, expect: instructorsOnly(404) },
  withdrawFeedbackFile: { method: 'DELETE', path: `${feedback}/never/files/a.txt`, expect: instructorsOnly(404) },
  // Not a zip.
  releaseFeedbackZip: { method: 'POST', path: 'api/v1/feedback/hw1', body: {}, expect: teaching(400) },
  rescheduleFeedback: { method: 'PATCH', path: 'api/v1/feedback/hw1', body: later, expect: instructorsOnly(200) },
  listAssignments: { method: 'GET', path: 'api/v1/assignments', expect: teaching(200) },
  // An invalid id: refused before anything is stored.
  createAssignment: {
    method: 'POST',
    path: 'api/v1/assignments',
    body: { id: '../x', dueAt: '2030-01-01T00:00:00Z' },
    expect: instructorsOnly(400),
  },
  getAssignment: { method: 'GET', path: 'api/v1/assignments/nope', expect: teaching(404) },
  updateAssignment: { method: 'PATCH', path: 'api/v1/assignments/nope', body: { title: 'x' }, expect: instructorsOnly(404) },
  deleteAssignment: { method: 'DELETE', path: 'api/v1/assignments/nope', expect: instructorsOnly(404) },
  grantExtension: { method: 'PUT', path: 'api/v1/assignments/nope/extensions/student2', body: later, expect: instructorsOnly(404) },
  revokeExtension: { method: 'DELETE', path: 'api/v1/assignments/nope/extensions/student2', expect: instructorsOnly(404) },
  getAssignmentStatus: { method: 'GET', path: 'api/v1/assignments/nope/status', expect: teaching(404) },
  getClassStatus: { method: 'GET', path: 'api/v1/class', expect: teaching(200) },
  getStudentTimeline: { method: 'GET', path: 'api/v1/students/student2/timeline', expect: teaching(200) },
  getClassChanges: { method: 'GET', path: 'api/v1/changes', expect: teaching(200) },
  triggerAssignment: { method: 'POST', path: 'api/v1/assignments/nope/trigger', body: {}, expect: instructorsOnly(404) },
  listMyAssignments: { method: 'GET', path: 'api/v1/me/assignments', expect: members(200) },
  listMyFeedback: { method: 'GET', path: 'api/v1/me/feedback', expect: members(200) },
  getMyFeedbackFile: { method: 'GET', path: 'api/v1/me/feedback/hw1/files/a.txt', expect: members(404) },
};

let app: InProcessApp;
beforeAll(async () => {
  app = await startInProcessApp();
});
afterAll(() => app.close());

describe('every route × every caller', () => {
  const cases = (Object.keys(TABLE) as Operation[]).flatMap((op) => WHO.map((who) => [op, who] as const));

  it.each(cases)('%s as %s', async (op, who) => {
    const row = TABLE[op];
    const headers: Record<string, string> = { Accept: 'text/html,application/json' };
    if (row.body) headers['Content-Type'] = 'application/json';
    if (row.form) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    if (who === 'badToken') headers.Authorization = 'token not-a-real-token';
    else if (who !== 'anonymous') headers.Authorization = `token ${tokenOf(who)}`;
    const response = await fetch(app.url + app.prefix + row.path, {
      method: row.method,
      headers,
      body: row.body ? JSON.stringify(row.body) : row.form ? new URLSearchParams(row.form).toString() : undefined,
      redirect: 'manual',
    });
    expect(response.status).toBe(row.expect[who]);
    if (response.status >= 400) {
      const body = (await response.json()) as { status?: number; success?: boolean; message: string };
      // nbgrader's exchange answers in ngshare's shape; everything else in JupyterHub's.
      if (row.path.startsWith('ngshare/')) expect(body.success).toBe(false);
      else expect(body.status).toBe(response.status);
      expect(body.message.length).toBeGreaterThan(0);
    }
  });

  it('has a row for every operation of the policy', () => {
    expect(Object.keys(TABLE).sort()).toEqual(Object.keys(POLICY).sort());
  });
});

describe('callers', () => {
  it('accepts "Bearer" as well as "token" and is case-blind about it', async () => {
    for (const scheme of ['Bearer', 'bearer', 'TOKEN']) {
      const response = await fetch(`${app.url}${app.prefix}api/v1/me`, { headers: { Authorization: `${scheme} ${tokenOf('student')}` } });
      expect(response.status).toBe(200);
    }
  });

  it('refuses a malformed Authorization header instead of ignoring it', async () => {
    const response = await fetch(`${app.url}${app.prefix}api/v1/me`, { headers: { Authorization: 'Basic dXNlcjpwYXNz' } });
    expect(response.status).toBe(401);
  });

  it('reports roles and the operations a caller may use', async () => {
    const me = async (who: CallerName) =>
      (await (await fetch(`${app.url}${app.prefix}api/v1/me`, { headers: { Authorization: `token ${tokenOf(who)}` } })).json()) as {
        name: string;
        roles: string[];
        permissions: string[];
        course: { id: string };
      };
    const instructor = await me('instructor');
    expect(instructor).toMatchObject({ name: 'instructor', roles: ['instructor'], course: { id: 'default' } });
    expect(instructor.permissions).toContain('listStudents');
    const student = await me('student');
    expect(student.roles).toEqual(['student']);
    expect(student.permissions).not.toContain('listStudents');
    expect((await me('lmsService')).roles).toEqual(['instructor']);
    expect((await me('scopeWithoutGroup')).roles).toEqual([]);
  });

  it('sends an anonymous browser to the Hub authorize endpoint with a state cookie', async () => {
    const response = await fetch(`${app.url}${app.prefix}`, { redirect: 'manual' });
    const location = new URL(response.headers.get('location')!, 'http://hub.invalid');
    expect(location.pathname).toBe('/hub/api/oauth2/authorize');
    expect(location.searchParams.get('client_id')).toBe('service-coursework');
    expect(location.searchParams.get('redirect_uri')).toBe('/services/coursework/oauth_callback');
    const state = location.searchParams.get('state')!;
    expect(response.headers.getSetCookie().some((c) => c.startsWith(`coursework-oauth-state=${state};`))).toBe(true);
  });

  it('refuses an OAuth callback whose state does not match the cookie', async () => {
    const response = await fetch(`${app.url}${app.prefix}oauth_callback?code=abc&state=forged`, { redirect: 'manual' });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toMatch(/state mismatch/);
  });

  it('answers unknown paths and methods with JSON', async () => {
    const missing = await fetch(`${app.url}${app.prefix}api/v1/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ status: 404, message: 'Not found' });
    const wrongMethod = await fetch(`${app.url}${app.prefix}api/v1/me`, {
      method: 'DELETE',
      headers: { Authorization: `token ${tokenOf('student')}` },
    });
    expect(wrongMethod.status).toBe(405);
  });
});

describe('the OpenAPI document', () => {
  const prefix = '/services/coursework/';
  const router = () => createRouter({ ...app.deps, oauth: new HubOAuth(app.config.hub, app.deps.hub) });
  const document = openApiDocument(prefix);

  /** `/services/coursework/api/v1/x/:id` → `/api/v1/x/{id}` */
  const toOpenApiPath = (layer: Layer) =>
    String(layer.path)
      .slice(prefix.length - 1)
      .replace(/:(\w+)/g, '{$1}')
      .replace(/\*(\w+)/g, '{$1}');

  const documented = Object.entries(document.paths).flatMap(([p, item]) =>
    Object.entries(item).map(([method, op]) => ({
      path: p,
      method: method.toUpperCase(),
      operationId: (op as { operationId: string }).operationId,
    })),
  );

  it('describes every API route of the router, with the same path and method', () => {
    const routed = router()
      .stack.filter((layer) => documented.some((d) => d.operationId === layer.name))
      .map((layer) => ({ path: toOpenApiPath(layer), operationId: layer.name, methods: layer.methods }));
    for (const doc of documented) {
      const route = routed.find((r) => r.operationId === doc.operationId);
      expect(route).toBeDefined();
      expect(route!.path).toBe(doc.path);
      expect(route!.methods).toContain(doc.method);
    }
  });

  it('leaves out only the browser routes, the seed API and the nbgrader exchange', () => {
    const undocumented = router()
      .stack.map((layer) => layer.name)
      .filter((name) => !documented.some((d) => d.operationId === name));
    const seedApi = [
      'compatPutStudentReport',
      'compatSnapshot',
      'compatSnapshotAll',
      'compatSnapshotFile',
      'compatSnapshotFileList',
      'compatSnapshotList',
      'compatSnapshotZip',
    ];
    // nbgrader's exchange is ngshare's API, documented as ngshare's (README).
    const exchange = Object.keys(POLICY).filter((name) => name.startsWith('exchange'));
    expect(undocumented.sort()).toEqual([...seedApi, ...exchange, 'getHome', 'logout', 'oauthCallback'].sort());
  });

  it('is served by the service', async () => {
    const response = await fetch(`${app.url}${app.prefix}api/v1/openapi.json`);
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(openApiDocument(app.prefix))));
  });
});
