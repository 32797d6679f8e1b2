/**
 * Many courses under a real JupyterHub: a course admin (by the Hub group the config gives the admin scope) creates a
 * course; its roster is the union of its Hub groups and the roster kept by Coursework; one student takes two
 * courses; an instructor of one course and a grader are held to what their roles allow.
 */
import { type RunningHub, startHub } from '../support/hub';

let hub: RunningHub;
const tokens = new Map<string, string>();

async function hubCall(method: string, path: string, body?: unknown): Promise<void> {
  const answer = await hub.api(method, path, body);
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${await answer.text()}`);
}

/** Calls the service with `user`'s own Hub token (issued once, after the groups below are in place). */
async function call(user: string, method: string, path: string, body?: unknown, contentType = 'application/json') {
  if (!tokens.has(user)) tokens.set(user, (await hub.issueToken(user)).token);
  const answer = await fetch(`${hub.serviceUrl}api/v1/${path}`, {
    method,
    headers: { Authorization: `token ${tokens.get(user)}`, ...(body !== undefined && { 'Content-Type': contentType }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await answer.text();
  return { status: answer.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & unknown[] };
}

beforeAll(async () => {
  hub = await startHub();
  for (const user of ['dean', 'teacher2', 'ta1']) await hubCall('POST', `/users/${user}`);
  // The group the Hub config gives custom:coursework:admin, and the new course's groups on the Hub.
  await hubCall('POST', '/groups/coursework-admins/users', { users: ['dean'] });
  await hubCall('POST', '/groups/ml-200-instructors', { users: ['teacher2'] });
  await hubCall('POST', '/groups/ml-200-students', { users: ['student2', 'student3'] });
}, 120000);

afterAll(() => hub?.stop());

it('lets a course admin create a course and refuses everyone else', async () => {
  const created = await call('dean', 'POST', 'courses', { id: 'ml-200', title: 'Machine Learning', timeZone: 'Asia/Kolkata' });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ id: 'ml-200', createdBy: 'dean', roles: ['instructor'], groups: { students: 'ml-200-students' } });
  expect((await call('instructor', 'POST', 'courses', { id: 'mine' })).status).toBe(403);
  expect((await call('student1', 'POST', 'courses', { id: 'mine' })).status).toBe(403);
});

it('makes the roster the union of the Hub groups and the roster kept here, saying where each comes from', async () => {
  const csv = 'user,role\nstudent1,student\nta1,grader\nStudent 9,student\nstudent2,student\nstudent2,grader\n';
  const bulk = await call('teacher2', 'POST', 'courses/ml-200/roster', csv, 'text/csv');
  expect(bulk.status).toBe(200);
  expect(bulk.body).toMatchObject({ added: 3, failed: 2 });
  const roster = (await call('teacher2', 'GET', 'courses/ml-200/roster')).body as unknown as {
    user: string;
    roles: string[];
    sources: { from: string }[];
  }[];
  expect(roster.map((e) => [e.user, e.roles, e.sources.map((s) => s.from)])).toEqual([
    ['dean', ['instructor'], ['coursework']],
    ['student1', ['student'], ['coursework']],
    ['student2', ['student'], ['group', 'coursework']],
    ['student3', ['student'], ['group']],
    ['ta1', ['grader'], ['coursework']],
    ['teacher2', ['instructor'], ['group']],
  ]);
});

it("takes the course's own snapshots of its roster's students, which the other course cannot see", async () => {
  const started = await call('teacher2', 'POST', 'courses/ml-200/snapshots', { name: 'week 1' });
  expect(started.status).toBe(202);
  const job = started.body.job as { id: string; name: string };
  const done = await call('teacher2', 'GET', `courses/ml-200/jobs/${job.id}?wait=30`);
  expect(done.body).toMatchObject({ state: 'done' });
  expect(Object.keys(done.body.students as object).sort()).toEqual(['student1', 'student2', 'student3']);
  expect((await call('ta1', 'GET', `courses/ml-200/students/student3/snapshots/${job.name}/files`)).status).toBe(200);
  expect((await call('instructor', 'GET', `courses/ml-200/students/student3/snapshots/${job.name}/files`)).status).toBe(403);
  expect((await call('instructor', 'GET', `students/student3/snapshots/${job.name}`)).status).toBe(404);
  expect((await call('ta1', 'DELETE', `courses/ml-200/students/student3/snapshots/${job.name}`)).status).toBe(403);
});

it('gives a student of two courses both, each with its role', async () => {
  const me = await call('student1', 'GET', 'me');
  expect(me.body.courses).toEqual([
    { id: 'demo-101', title: expect.any(String), roles: ['student'], default: true },
    { id: 'ml-200', title: 'Machine Learning', roles: ['student'], default: false },
  ]);
  expect((await call('student1', 'GET', 'courses/ml-200')).body).toMatchObject({ timeZone: 'Asia/Kolkata', roles: ['student'] });
});

it("refuses an instructor of one course the other course's every resource", async () => {
  for (const path of ['courses/demo-101', 'courses/demo-101/roster', 'students', 'assignments', 'audit', 'students/student1/snapshots']) {
    expect([path, (await call('teacher2', 'GET', path)).status]).toEqual([path, 403]);
  }
  expect((await call('teacher2', 'PATCH', 'courses/demo-101', { timeZone: 'UTC' })).status).toBe(403);
  expect((await call('instructor', 'GET', 'courses/ml-200/roster')).status).toBe(403);
  expect((await call('instructor', 'PUT', 'courses/ml-200/roster/student1', { role: 'grader' })).status).toBe(403);
});

it('lets a grader read the roster but not change it or the course', async () => {
  expect((await call('ta1', 'GET', 'courses/ml-200/roster')).status).toBe(200);
  expect((await call('ta1', 'PUT', 'courses/ml-200/roster/student3', { role: 'student' })).status).toBe(403);
  expect((await call('ta1', 'DELETE', 'courses/ml-200/roster/student1')).status).toBe(403);
  expect((await call('ta1', 'DELETE', 'courses/ml-200?confirm=ml-200')).status).toBe(403);
});

it('deletes a course only when confirmed, and answers 410 for it afterwards', async () => {
  expect((await call('teacher2', 'DELETE', 'courses/ml-200')).status).toBe(409);
  expect((await call('teacher2', 'DELETE', 'courses/ml-200?confirm=ml-200')).status).toBe(204);
  expect((await call('student1', 'GET', 'courses/ml-200')).status).toBe(410);
  expect(((await call('student1', 'GET', 'me')).body.courses as { id: string }[]).map((c) => c.id)).toEqual(['demo-101']);
});
