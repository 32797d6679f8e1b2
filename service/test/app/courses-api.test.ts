/** Courses and rosters through the real app and policy, with the Hub's tokens and groups stood in for. */
import { expectMatchesContract } from '../support/openapi-validator';
import { type CallerName, type InProcessApp, startInProcessApp, tokenOf } from '../support/in-process';

let app: InProcessApp;
beforeAll(async () => {
  app = await startInProcessApp();
});
afterAll(() => app.close());

async function call(who: CallerName, method: string, path: string, body?: unknown, contentType = 'application/json') {
  const response = await fetch(`${app.url}${app.prefix}api/v1/${path}`, {
    method,
    headers: { Authorization: `token ${tokenOf(who)}`, ...(body !== undefined && { 'Content-Type': contentType }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

describe('courses', () => {
  it('lets a course admin create a course, whose creator becomes its instructor, with groups from the patterns', async () => {
    const created = await call('courseAdmin', 'POST', 'courses', { id: 'ds-100', title: 'Data Science', timeZone: 'Europe/Paris' });
    expect(created.status).toBe(201);
    expectMatchesContract('createCourse', 201, created.body);
    expect(created.body).toMatchObject({
      id: 'ds-100',
      title: 'Data Science',
      timeZone: 'Europe/Paris',
      groups: { instructors: 'ds-100-instructors', graders: 'ds-100-graders', students: 'ds-100-students' },
      default: false,
      createdBy: 'dean',
      roles: ['instructor'],
    });
    expect((await call('courseAdmin', 'POST', 'courses', { id: 'ds-100' })).status).toBe(409);
    expect((await call('courseAdmin', 'POST', 'courses', { id: 'ml', timeZone: 'Mars/Olympus' })).body).toMatchObject({
      status: 400,
      message: expect.stringContaining('timeZone'),
    });
    expect((await call('instructor', 'POST', 'courses', { id: 'mine' })).status).toBe(403);
  });

  it('keeps each course to its own people: the default course’s instructor is refused on another course', async () => {
    for (const [method, path] of [
      ['GET', 'courses/ds-100'],
      ['GET', 'courses/ds-100/roster'],
      ['PATCH', 'courses/ds-100'],
      ['DELETE', 'courses/ds-100'],
      ['PUT', 'courses/ds-100/roster/student9'],
    ] as const) {
      expect([
        method,
        path,
        (await call('instructor', method, path, method === 'GET' || method === 'DELETE' ? undefined : {})).status,
      ]).toEqual([method, path, 403]);
    }
    const listed = await call('instructor', 'GET', 'courses');
    expectMatchesContract('listCourses', 200, listed.body);
    expect((listed.body as unknown as { id: string }[]).map((c) => c.id)).toEqual(['default']);
    expect((await call('student', 'GET', 'courses/nope')).status).toBe(404);
  });

  it('adds a roster in bulk from CSV with a status for every row; a bad row changes nothing', async () => {
    const csv = 'user,role\nstudent1,student\nstudent1,grader\nNot Valid,student\ngrader1,grader\nstudent4,professor\nstudent5\n';
    const answer = await call('courseAdmin', 'POST', 'courses/ds-100/roster', csv, 'text/csv');
    expect(answer.status).toBe(200);
    expectMatchesContract('addRosterMembers', 200, answer.body);
    expect(answer.body).toMatchObject({ added: 3, updated: 0, unchanged: 0, failed: 3 });
    expect((answer.body as { rows: unknown[] }).rows).toEqual([
      { row: 2, user: 'student1', role: 'student', status: 'added' },
      { row: 3, user: 'student1', role: 'grader', status: 'error', message: 'student1 is already on row 2 of this list' },
      { row: 4, user: 'Not Valid', role: null, status: 'error', message: expect.stringMatching(/^user: not a Hub user name/) },
      { row: 5, user: 'grader1', role: 'grader', status: 'added' },
      { row: 6, user: 'student4', role: null, status: 'error', message: 'role must be one of instructor, grader, student' },
      { row: 7, user: 'student5', role: 'student', status: 'added' },
    ]);
    const again = await call('courseAdmin', 'POST', 'courses/ds-100/roster', {
      members: [{ user: 'student1' }, { user: 'student5', role: 'grader' }],
    });
    expect(again.body).toMatchObject({ added: 0, updated: 1, unchanged: 1, failed: 0 });
    await call('courseAdmin', 'PUT', 'courses/ds-100/roster/student5', { role: 'student' });

    const roster = await call('grader', 'GET', 'courses/ds-100/roster');
    expectMatchesContract('listRoster', 200, roster.body);
    expect((roster.body as unknown as { user: string; roles: string[] }[]).map((e) => [e.user, e.roles])).toEqual([
      ['dean', ['instructor']],
      ['grader1', ['grader']],
      ['student1', ['student']],
      ['student5', ['student']],
    ]);
  });

  it('gives a student of two courses both, each with its role, and the roster says where each role comes from', async () => {
    const me = await call('student', 'GET', 'me');
    expectMatchesContract('getMe', 200, me.body);
    expect(me.body!.courses).toEqual([
      { id: 'default', title: 'Course', roles: ['student'], default: true },
      { id: 'ds-100', title: 'Data Science', roles: ['student'], default: false },
    ]);
    expect((await call('student', 'GET', 'courses/ds-100')).body).toMatchObject({ roles: ['student'] });
    expect((await call('student', 'GET', 'courses/ds-100/roster')).status).toBe(403);

    // student1 is in the default course's students group and on its kept roster too.
    await call('instructor', 'PUT', 'courses/default/roster/student1', { role: 'student' });
    const roster = (await call('instructor', 'GET', 'courses/default/roster')).body as unknown as { user: string; sources: unknown[] }[];
    expect(roster.find((e) => e.user === 'student1')!.sources).toEqual([
      { role: 'student', from: 'group', group: 'students' },
      { role: 'student', from: 'coursework', addedBy: 'instructor', addedAt: expect.any(String) },
    ]);
    // A student only on the kept roster is a student of the course: listed among its students.
    await call('instructor', 'PUT', 'courses/default/roster/newcomer', {});
    const students = (await call('instructor', 'GET', 'students')).body as unknown as { name: string }[];
    expect(students.map((s) => s.name)).toContain('newcomer');
    expect((await call('instructor', 'DELETE', 'courses/default/roster/newcomer')).status).toBe(204);
  });

  it('lets a grader read and release but not change the roster, the course or its plan', async () => {
    expect((await call('grader', 'GET', 'courses/ds-100')).body).toMatchObject({ roles: ['grader'] });
    expect((await call('grader', 'PUT', 'courses/ds-100/roster/student9', { role: 'student' })).status).toBe(403);
    expect((await call('grader', 'DELETE', 'courses/ds-100/roster/student1')).status).toBe(403);
    expect((await call('grader', 'PATCH', 'courses/ds-100', { title: 'Mine' })).status).toBe(403);
    expect((await call('grader', 'DELETE', 'courses/ds-100')).status).toBe(403);
  });

  it('refuses to delete a course holding data unless confirmed; a deleted course answers 410 and keeps its id', async () => {
    const refused = await call('courseAdmin', 'DELETE', 'courses/ds-100');
    expect(refused).toEqual({
      status: 409,
      body: { status: 409, message: 'The course ds-100 holds 4 roster entries: to delete it all the same, send confirm=ds-100' },
    });
    expect((await call('courseAdmin', 'DELETE', 'courses/ds-100?confirm=ds-100')).status).toBe(204);
    expect(await call('student', 'GET', 'courses/ds-100')).toMatchObject({
      status: 410,
      body: { message: expect.stringContaining('deleted') },
    });
    expect((await call('courseAdmin', 'POST', 'courses', { id: 'ds-100' })).status).toBe(409);
    expect(((await call('student', 'GET', 'me')).body!.courses as { id: string }[]).map((c) => c.id)).toEqual(['default']);
    const audit = (await call('instructor', 'GET', 'audit?action=roster.')).body as unknown as { target: string }[];
    expect(audit.map((a) => a.target)).toContain('student1');
  });
});
