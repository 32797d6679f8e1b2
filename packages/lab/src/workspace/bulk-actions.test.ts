import type { Job } from '@coursework/client';
import type { Contents } from '@jupyterlab/services';
import { captureNow, changedDueAt, forEachStudent, grantExtensions, releaseFromFolder, summary, withdrawFeedback } from './bulk-actions';
import { fakeService, json } from '../testing/fake-service';

const API = '/services/coursework/api/v1';

describe('bulk actions', () => {
  it('runs every student, reports progress, and keeps going past one that fails', async () => {
    const progress: string[] = [];
    const outcomes = await forEachStudent(
      ['a', 'b', 'c'],
      async (student) => {
        if (student === 'b') throw new Error('no such student');
        return `did ${student}`;
      },
      ({ done, total }) => progress.push(`${done}/${total}`),
      2,
    );
    expect(outcomes).toEqual([
      { student: 'a', ok: true, message: 'did a' },
      { student: 'b', ok: false, message: 'no such student' },
      { student: 'c', ok: true, message: 'did c' },
    ]);
    expect(progress).toEqual(['0/3', '1/3', '2/3', '3/3']);
    expect(summary(outcomes, 'granted')).toBe('2 granted, 1 failed');
    expect(summary(outcomes.slice(0, 1), 'granted')).toBe('1 granted');
  });

  it('moves each student from their own due time, or all to one time', () => {
    expect(changedDueAt('2026-11-20T17:00:00.000Z', { hours: 24 })).toBe('2026-11-21T17:00:00.000Z');
    expect(changedDueAt('2026-11-20T17:00:00.000Z', { hours: -1.5 })).toBe('2026-11-20T15:30:00.000Z');
    expect(changedDueAt('2026-11-20T17:00:00.000Z', { dueAt: '2026-12-01T09:00:00Z' })).toBe('2026-12-01T09:00:00.000Z');
  });

  it('grants extensions per student and withdraws feedback, saying which calls failed', async () => {
    const service = fakeService({
      [`PUT ${API}/assignments/hw1/extensions/s1`]: () => json({ id: 'hw1' }),
      [`PUT ${API}/assignments/hw1/extensions/s2`]: () => json({ status: 404, message: 's2 is not a student of the course' }, 404),
      [`DELETE ${API}/students/s1/feedback/hw1`]: () => new Response(null, { status: 204 }),
    });
    const client = service.connection.client;
    const due: Record<string, string> = { s1: '2026-11-20T17:00:00.000Z', s2: '2026-11-22T17:00:00.000Z' };
    const granted = await grantExtensions(
      client,
      'hw1',
      ['s1', 's2'],
      (s) => due[s]!,
      { hours: 2 },
      () => undefined,
    );
    expect(granted.map((o) => [o.student, o.ok])).toEqual([
      ['s1', true],
      ['s2', false],
    ]);
    expect(granted[1]!.message).toContain('not a student of the course (HTTP 404)');
    const put = service.requests.find((r) => r.call === `PUT ${API}/assignments/hw1/extensions/s1`);
    expect(put?.body).toEqual({ dueAt: '2026-11-20T19:00:00.000Z' });

    const withdrawn = await withdrawFeedback(client, 'hw1', ['s1', 's3'], () => undefined);
    expect(withdrawn.map((o) => [o.student, o.ok])).toEqual([
      ['s1', true],
      ['s3', false],
    ]);
  });

  it('captures the selection in one job, following its progress to each student’s outcome', async () => {
    const job = (state: Job['state'], done: number, students: Job['students']): Job => ({
      id: 'j9',
      kind: 'snapshot',
      state,
      name: 'capture-10-00_2026-11-28',
      includeHidden: false,
      total: 2,
      done,
      bytes: 0,
      createdBy: 'instructor',
      createdAt: '',
      startedAt: null,
      finishedAt: null,
      students,
    });
    const polls = [
      job('running', 1, { s1: { status: 'taken' }, s2: { status: 'pending' } }),
      job('done', 2, { s1: { status: 'taken' }, s2: { status: 'no-home' } }),
    ];
    const service = fakeService({
      [`POST ${API}/snapshots`]: () => json({ job: job('queued', 0, {}), joined: false }, 202),
      [`GET ${API}/jobs/j9`]: () => json(polls.shift()),
    });
    const progress: string[] = [];
    const outcomes = await captureNow(
      service.connection.client,
      ['s1', 's2'],
      'capture 10:00',
      ({ done, total }) => progress.push(`${done}/${total}`),
      {
        sleep: async () => undefined,
      },
    );
    expect(service.requests[0]!.body).toEqual({ name: 'capture 10:00', students: ['s1', 's2'] });
    expect(progress).toEqual(['0/2', '1/2', '2/2']);
    expect(outcomes).toEqual([
      { student: 's1', ok: true, message: 'captured as capture-10-00_2026-11-28' },
      { student: 's2', ok: false, message: 'has no home folder' },
    ]);
  });
  it("releases each student's own subfolder of a folder, and names a student who has none", async () => {
    const file = (path: string, content: string): Contents.IModel =>
      ({ name: path.split('/').pop()!, path, type: 'file', format: 'text', content }) as Contents.IModel;
    const tree: Record<string, Contents.IModel> = {
      'marked/hw1/s1': {
        name: 's1',
        path: 'marked/hw1/s1',
        type: 'directory',
        content: [file('marked/hw1/s1/report.html', '<p>s1</p>')],
      } as Contents.IModel,
      'marked/hw1/s1/report.html': file('marked/hw1/s1/report.html', '<p>s1</p>'),
    };
    const contents = {
      get: async (path: string) => {
        if (!tree[path]) throw new Error(`404: ${path}`);
        return tree[path]!;
      },
    };
    const service = fakeService({
      [`POST ${API}/students/s1/feedback/hw1`]: () => json({ student: 's1', assignment: 'hw1', files: [] }, 201),
    });
    const outcomes = await releaseFromFolder(service.connection.client, contents, 'hw1', '/marked/hw1/', ['s1', 's2'], () => undefined);
    expect(outcomes).toEqual([
      { student: 's1', ok: true, message: 'released report.html' },
      { student: 's2', ok: false, message: 'no folder marked/hw1/s2' },
    ]);
    expect(service.requests.map((r) => r.call)).toEqual([`POST ${API}/students/s1/feedback/hw1`]);
  });
});
