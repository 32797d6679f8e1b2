/**
 * Every course-scoped resource under `courses/{course}/…`, for a course created through the API: its snapshots,
 * jobs, assignments and feedback are its own, and nothing of one course can be read or changed from another.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CourseworkClient } from '@coursework/client';
import { homePath } from '../../src/homes/home-path';
import { expectMatchesContract } from '../support/openapi-validator';
import { createRouter } from '../../src/http/routes';
import { type CallerName, type InProcessApp, startInProcessApp, tokenOf } from '../support/in-process';

let app: InProcessApp;
beforeAll(async () => {
  app = await startInProcessApp();
});
afterAll(() => app.close());

async function call(who: CallerName, method: string, path: string, body?: unknown) {
  const response = await fetch(`${app.url}${app.prefix}api/v1/${path}`, {
    method,
    headers: { Authorization: `token ${tokenOf(who)}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & unknown[] };
}

describe('a second course', () => {
  beforeAll(async () => {
    expect((await call('courseAdmin', 'POST', 'courses', { id: 'ds-200', title: 'Data Science 200' })).status).toBe(201);
    const roster = await call('courseAdmin', 'POST', 'courses/ds-200/roster', {
      members: [{ user: 'student1' }, { user: 'student2' }, { user: 'grader1', role: 'grader' }],
    });
    expect(roster.body).toMatchObject({ added: 3 });
  });

  it('takes its own snapshots of its own students, kept apart from the default course', async () => {
    const started = await call('courseAdmin', 'POST', 'courses/ds-200/snapshots', { name: 'week 1' });
    expect(started.status).toBe(202);
    const job = started.body.job as { id: string; name: string };
    const done = await call('courseAdmin', 'GET', `courses/ds-200/jobs/${job.id}?wait=30`);
    expect(done.body).toMatchObject({ state: 'done', total: 2 });
    expect(Object.keys(done.body.students as object).sort()).toEqual(['student1', 'student2']);
    // The job and the snapshot exist in ds-200 only.
    expect((await call('instructor', 'GET', `jobs/${job.id}`)).status).toBe(404);
    expect(((await call('instructor', 'GET', 'students/student1/snapshots')).body as { name: string }[]).map((s) => s.name)).not.toContain(
      job.name,
    );
    const inCourse = (await call('grader', 'GET', 'courses/ds-200/students/student1/snapshots')).body as { name: string }[];
    expect(inCourse.map((s) => s.name)).toEqual([job.name]);
    // Everyone's snapshots at once: the course's own, by student, in pages.
    const everyone = (await call('grader', 'GET', 'courses/ds-200/snapshots')).body as { student: string; name: string }[];
    expectMatchesContract('listSnapshots', 200, everyone);
    expect(everyone.map((s) => [s.student, s.name])).toEqual([
      ['student1', job.name],
      ['student2', job.name],
    ]);
    const second = await call('grader', 'GET', 'courses/ds-200/snapshots?offset=1&limit=1');
    expect((second.body as { student: string }[]).map((s) => s.student)).toEqual(['student2']);
    const inDefault = (await call('instructor', 'GET', 'snapshots')).body as { name: string }[];
    expect(inDefault.map((s) => s.name)).not.toContain(job.name);
    expect((await call('student', 'GET', 'courses/ds-200/snapshots')).status).toBe(403);
    // A one-minute download link of the course's zip works for its maker there (the course admin teaches ds-200
    // and nothing else), and carries no role into the default course.
    const link = async (path: string) =>
      ((await call('courseAdmin', 'POST', 'download-links', { path })).body as unknown as { url: string }).url;
    const zip = await fetch(`${app.url}${await link(`api/v1/courses/ds-200/snapshots/${job.name}/zip`)}`);
    expect(zip.status).toBe(200);
    expect(
      Buffer.from(await zip.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    expect((await fetch(`${app.url}${await link(`api/v1/snapshots/${job.name}/zip`)}`)).status).toBe(403);
    expect((await call('grader', 'GET', 'courses/ds-200/students')).body.map((s) => (s as { name: string }).name)).toEqual([
      'student1',
      'student2',
    ]);
  });

  it('plans its own assignments and releases its own feedback, through the typed client bound to the course', async () => {
    const dean = new CourseworkClient({ baseUrl: app.url + app.prefix, token: tokenOf('courseAdmin'), course: 'ds-200' });
    await dean.createAssignment({ id: 'proj', title: 'Project', dueAt: '2031-05-01T00:00:00Z' });
    expect((await dean.assignments()).map((a) => a.id)).toEqual(['proj']);
    expect((await call('instructor', 'GET', 'assignments/proj')).status).toBe(404);
    const grader = new CourseworkClient({ baseUrl: app.url + app.prefix, token: tokenOf('grader'), course: 'ds-200' });
    await grader.releaseFeedback('student1', 'proj', { 'notes.txt': 'good work' });
    expect((await grader.studentFeedback('student1', 'proj')).files.map((f) => f.path)).toEqual(['notes.txt']);
    expect((await call('instructor', 'GET', 'students/student1/feedback/proj')).status).toBe(404);
    // A grader re-plans nothing.
    expect((await call('grader', 'PATCH', 'courses/ds-200/assignments/proj', { title: 'x' })).status).toBe(403);
    expect((await call('grader', 'DELETE', 'courses/ds-200/students/student1/feedback/proj')).status).toBe(403);
  });

  it('gives a student of both courses their feedback and due times of both, each saying its course', async () => {
    const student = new CourseworkClient({ baseUrl: app.url + app.prefix, token: tokenOf('student') });
    const feedback = await student.myFeedback();
    expect(feedback.items.map((item) => [item.course.id, item.assignment])).toContainEqual(['ds-200', 'proj']);
    const file = await fetch(student.myFeedbackFileUrl('proj', 'notes.txt', 'ds-200'), {
      headers: { Authorization: `token ${tokenOf('student')}` },
    });
    expect(await file.text()).toBe('good work');
    // Without the course: the default course's, which has no such assignment.
    expect(
      (await fetch(student.myFeedbackFileUrl('proj', 'notes.txt'), { headers: { Authorization: `token ${tokenOf('student')}` } })).status,
    ).toBe(404);
    const due = await student.myAssignments();
    expect(due.map((a) => [a.course.id, a.id])).toContainEqual(['ds-200', 'proj']);
    expect(due.find((a) => a.id === 'proj')).toMatchObject({ course: { id: 'ds-200', title: 'Data Science 200' }, status: 'upcoming' });
  });

  it("captures only the course's folder of each home, with its own excludes and hidden files, and never through a symlink", async () => {
    const created = await call('courseAdmin', 'POST', 'courses', {
      id: 'ds-300',
      title: 'Data Science 300',
      capture: { folder: '{course}', exclude: ['*.log'], includeHidden: true },
    });
    expect(created.body).toMatchObject({ capture: { folder: 'ds-300', exclude: ['*.log'], includeHidden: true } });
    await call('courseAdmin', 'POST', 'courses/ds-300/roster', { members: ['student1', 'student2', 'student3'].map((user) => ({ user })) });
    const home = (student: string) => homePath(app.config.homeTemplate, student);
    mkdirSync(path.join(home('student1'), 'ds-300'));
    writeFileSync(path.join(home('student1'), 'ds-300', 'work.ipynb'), '{"cells": []}');
    writeFileSync(path.join(home('student1'), 'ds-300', '.answers'), 'hidden');
    writeFileSync(path.join(home('student1'), 'ds-300', 'run.log'), 'noise');
    // student3's course folder is a symlink out of their home: not a folder of the home, so nothing is taken.
    symlinkSync(home('student1'), path.join(home('student3'), 'ds-300'));

    const job = (await call('courseAdmin', 'POST', 'courses/ds-300/snapshots', { name: 'w1' })).body.job as { id: string; name: string };
    const done = (await call('courseAdmin', 'GET', `courses/ds-300/jobs/${job.id}?wait=30`)).body;
    expect(done.students).toMatchObject({
      student1: { status: 'taken', files: 2 },
      student2: { status: 'no-home' },
      student3: { status: 'no-home' },
    });
    const files = (await call('courseAdmin', 'GET', `courses/ds-300/students/student1/snapshots/${job.name}/files`)).body as {
      path: string;
    }[];
    expect(files.map((f) => f.path).sort()).toEqual(['.answers', 'work.ipynb']);

    // Back to the whole home, without hidden files: the course's own folder is one folder among the others.
    const changed = await call('courseAdmin', 'PATCH', 'courses/ds-300', { capture: { folder: null, includeHidden: null } });
    expect(changed.body).toMatchObject({ capture: { folder: null, exclude: ['*.log'], includeHidden: false } });
    const again = (await call('courseAdmin', 'POST', 'courses/ds-300/snapshots', { name: 'w2', students: ['student1'] })).body.job as {
      id: string;
      name: string;
    };
    await call('courseAdmin', 'GET', `courses/ds-300/jobs/${again.id}?wait=30`);
    const whole = (await call('courseAdmin', 'GET', `courses/ds-300/students/student1/snapshots/${again.name}/files`)).body as {
      path: string;
    }[];
    expect(whole.map((f) => f.path)).toEqual(expect.arrayContaining(['ds-300/work.ipynb', 'assignment-1.ipynb']));
    expect(whole.map((f) => f.path)).not.toContain('ds-300/.answers');
    expect(whole.map((f) => f.path)).not.toContain('ds-300/run.log');

    for (const folder of ['../up', 'a/b', '.hidden', '']) {
      expect((await call('courseAdmin', 'PATCH', 'courses/ds-300', { capture: { folder } })).status).toBe(400);
    }
  });

  it("refuses the default course's instructor every one of its routes, and its own instructor the default course's", async () => {
    const router = createRouter({ ...app.deps, oauth: undefined as never });
    const scoped = router.stack.filter((layer) => layer.name?.endsWith('InCourse'));
    expect(scoped.length).toBeGreaterThanOrEqual(30);
    for (const layer of scoped) {
      const method = layer.methods.find((m) => m !== 'HEAD')!;
      const path = String(layer.path)
        .slice(app.prefix.length - 1)
        .replace(':course', 'ds-200')
        .replace(/[:*](\w+)/g, (_: string, name: string) =>
          name === 'student' ? 'student1' : name === 'job' ? '00000000-0000-0000-0000-000000000000' : 'x1',
        );
      expect([
        layer.name,
        (await call('instructor', method, path.replace(/^\/api\/v1\//, ''), method === 'GET' ? undefined : {})).status,
      ]).toEqual([layer.name, 403]);
    }
    expect((await call('courseAdmin', 'GET', 'students')).status).toBe(403);
    expect((await call('courseAdmin', 'GET', 'courses/nope/students')).status).toBe(404);
  });
});
