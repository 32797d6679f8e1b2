import type { Job } from '@coursework/client';
import { InstructorModel } from './instructor-model';
import { fakeService, json, paged } from '../testing/fake-service';

const API = '/services/coursework/api/v1';
const snap = (student: string, name: string, takenAt: string) => ({
  student,
  name,
  takenAt,
  takenBy: 'instructor',
  files: 3,
  bytes: 10,
  includeHidden: false,
  manifestSha256: 'x',
});
const job = (state: Job['state'], done: number, students: Job['students']): Job => ({
  id: 'j1',
  kind: 'snapshot',
  state,
  name: 'ui-check_2026-11-23',
  includeHidden: false,
  total: 3,
  done,
  bytes: 0,
  createdBy: 'instructor',
  createdAt: '',
  startedAt: null,
  finishedAt: null,
  students,
});

function model(jobStates: Job[] = []) {
  const snapshots: Record<string, ReturnType<typeof snap>[]> = {
    student1: [snap('student1', 'ps1_2026-11-01', '2026-11-01T10:00:00Z'), snap('student1', 'ps2_2026-11-15', '2026-11-15T10:00:00Z')],
    student2: [snap('student2', 'ps1_2026-11-01', '2026-11-01T10:00:00Z')],
    student3: [],
  };
  let polls = 0;
  const service = fakeService({
    [`GET ${API}/students`]: paged(['student1', 'student2', 'student3'].map((name) => ({ name, homeExists: name !== 'student3' }))),
    [`GET ${API}/snapshots`]: paged(Object.values(snapshots).flat()),
    [`POST ${API}/snapshots`]: () => json({ job: jobStates[0], joined: false }, 202),
    [`GET ${API}/jobs/j1`]: () => json(jobStates[Math.min(++polls, jobStates.length - 1)]),
  });
  const sleeps: number[] = [];
  const m = new InstructorModel({ client: service.connection.client, pollIntervalMs: 250, sleep: async (ms) => void sleeps.push(ms) });
  return { model: m, requests: service.requests, sleeps };
}

describe('InstructorModel overview', () => {
  it('shows every student × every snapshot name, newest first', async () => {
    const { model: m } = model();
    await m.refresh();
    const overview = m.overview();
    expect(overview.columns).toEqual(['ps2_2026-11-15', 'ps1_2026-11-01']);
    expect(overview.rows.map((r) => [r.student, r.homeExists, [...r.snapshots.keys()]])).toEqual([
      ['student1', true, ['ps1_2026-11-01', 'ps2_2026-11-15']],
      ['student2', true, ['ps1_2026-11-01']],
      ['student3', false, []],
    ]);
  });

  it("reads everyone's snapshots in pages of the whole course, not one read per student", async () => {
    const { model: m, requests } = model();
    await m.refresh();
    expect(requests.map((r) => r.call.split('?')[0]).sort()).toEqual([`GET ${API}/snapshots`, `GET ${API}/students`]);
  });

  it('filters by student name, else by snapshot name', async () => {
    const { model: m } = model();
    await m.refresh();
    m.filter = 'STUDENT2';
    expect(m.overview().rows.map((r) => r.student)).toEqual(['student2']);
    expect(m.overview().columns).toEqual(['ps1_2026-11-01']);
    m.filter = 'ps2';
    expect(m.overview()).toMatchObject({ columns: ['ps2_2026-11-15'], rows: [expect.objectContaining({ student: 'student1' })] });
    m.filter = 'nothing';
    expect(m.overview()).toEqual({ columns: [], rows: [] });
  });

  it('keeps the reason when the overview cannot be read', async () => {
    const { model: m } = model();
    const failing = new InstructorModel({
      client: fakeService({ [`GET ${API}/students`]: () => json({ status: 403, message: 'Not allowed' }, 403) }).connection.client,
    });
    await failing.refresh();
    expect(failing.loadError).toBe('Not allowed (HTTP 403)');
    expect(failing.loading).toBe(false);
    expect(m.loadError).toBeNull();
  });
});

describe('InstructorModel snapshots', () => {
  const states = [
    job('queued', 0, { student1: { status: 'pending' }, student2: { status: 'pending' }, student3: { status: 'pending' } }),
    job('running', 1, { student1: { status: 'taken', files: 3 }, student2: { status: 'pending' }, student3: { status: 'pending' } }),
    job('done', 3, {
      student1: { status: 'taken', files: 3 },
      student2: { status: 'failed', error: 'disk error' },
      student3: { status: 'no-home' },
    }),
  ];

  it('starts a job for all students, polls it to the end, reports progress and the students it missed', async () => {
    const { model: m, requests, sleeps } = model(states);
    const progress: string[] = [];
    m.changed.connect(() => m.job && progress.push(`${m.job.state} ${m.job.done}/${m.job.total}`));
    const finished = await m.takeSnapshot({ name: 'ui-check', includeHidden: true, scope: 'all' });
    expect(finished?.state).toBe('done');
    expect([...new Set(progress)]).toEqual(['queued 0/3', 'running 1/3', 'done 3/3']);
    expect(requests.find((r) => r.call.startsWith('POST'))?.body).toEqual({ name: 'ui-check', includeHidden: true });
    expect(sleeps).toEqual([250, 250]);
    expect(m.problems()).toEqual([
      { student: 'student2', message: 'failed: disk error' },
      { student: 'student3', message: 'has no home folder' },
    ]);
    expect(m.busy).toBe(false);
    // The overview is read again once the job is done.
    expect(requests.at(-1)!.call).toMatch(/snapshots\?offset=0&limit=200$/);
  });

  it('sends only the selected students, and refuses an empty selection or name', async () => {
    const { model: m, requests } = model(states);
    expect(await m.takeSnapshot({ name: 'x', includeHidden: false, scope: 'selected' })).toBeNull();
    expect(m.jobError).toMatch(/Select at least one student/);
    expect(await m.takeSnapshot({ name: '  ', includeHidden: false, scope: 'all' })).toBeNull();
    expect(m.jobError).toMatch(/name/);
    expect(requests).toEqual([]);
    m.setSelected('student2', true);
    m.setSelected('student1', true);
    m.setSelected('student1', false);
    await m.takeSnapshot({ name: 'x', includeHidden: false, scope: 'selected' });
    expect(requests[0]!.body).toEqual({ name: 'x', includeHidden: false, students: ['student2'] });
  });

  it('shows why a job could not start', async () => {
    const { model: m } = model([]);
    const refusing = new InstructorModel({
      client: fakeService({
        [`POST ${API}/snapshots`]: () => json({ status: 400, message: 'name needs at least one letter or digit' }, 400),
      }).connection.client,
    });
    expect(await refusing.takeSnapshot({ name: '!!', includeHidden: false, scope: 'all' })).toBeNull();
    expect(refusing.jobError).toBe('name needs at least one letter or digit (HTTP 400)');
    expect(m.jobError).toBeNull();
  });
});
