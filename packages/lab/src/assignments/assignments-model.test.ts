import type { Assignment, AssignmentStatus, AssignmentStudentStatus } from '@coursework/client';
import { AssignmentsModel, assignmentListItems, statusRows } from './assignments-model';
import { spokenDuration } from '../common/datetime';
import { fakeService, json, paged } from '../testing/fake-service';
import { studentStatus } from '../testing/student-status';

const API = '/services/coursework/api/v1';
const ps1: Assignment = {
  id: 'ps1',
  title: 'Problem set 1',
  dueAt: '2026-11-23T11:00:00.000Z',
  dueAtLocal: '2026-11-23 12:00 (Europe/Paris)',
  timeZone: 'Europe/Paris',
  snapshotAtDue: true,
  captures: null,
  createdBy: 'instructor',
  createdAt: '2026-11-23T10:00:00.000Z',
  updatedAt: '2026-11-23T10:00:00.000Z',
  extensions: [],
};
const receipt = {
  snapshot: 'ps1_2026-11-23',
  takenAt: '2026-11-23T11:00:03.000Z',
  files: 4,
  bytes: 100,
  manifestSha256: 'a'.repeat(64),
  lateBySeconds: null,
};
const student = (
  name: string,
  status: AssignmentStudentStatus['status'],
  more: Partial<AssignmentStudentStatus> = {},
): AssignmentStudentStatus =>
  studentStatus(name, { dueAt: ps1.dueAt, dueAtLocal: ps1.dueAtLocal, status, receipt: status === 'captured' ? receipt : null, ...more });

function model(statuses: AssignmentStatus[]) {
  let reads = 0;
  // The service's state of ps1, which an extension changes (the status carries it).
  let current = ps1;
  const service = fakeService({
    [`GET ${API}/assignments`]: () => json([ps1]),
    [`GET ${API}/students`]: paged(['student1', 'student2'].map((name) => ({ name, homeExists: true }))),
    [`POST ${API}/assignments`]: (_url, init) => json({ ...ps1, ...(JSON.parse(init!.body as string) as object) }, 201),
    [`GET ${API}/assignments/ps1/status`]: () => json({ ...statuses[Math.min(reads++, statuses.length - 1)], assignment: current }),
    [`PUT ${API}/assignments/ps1/extensions/student2`]: () => {
      current = {
        ...ps1,
        extensions: [
          {
            student: 'student2',
            dueAt: '2026-11-30T11:00:00.000Z',
            dueAtLocal: '2026-11-30 12:00 (Europe/Paris)',
            grantedBy: 'instructor',
            grantedAt: '',
          },
        ],
      };
      return json(current);
    },
    [`POST ${API}/assignments/ps1/trigger`]: () => json({ started: ['student1'], already: ['student2'] }),
  });
  const sleeps: number[] = [];
  const m = new AssignmentsModel({
    client: service.connection.client,
    pollIntervalMs: 100,
    sleep: async (ms) => void sleeps.push(ms),
    format: (iso) => `at ${iso}`,
  });
  return { model: m, requests: service.requests, sleeps };
}

describe('AssignmentsModel', () => {
  const capturing: AssignmentStatus = { assignment: ps1, students: [student('student1', 'capturing'), student('student2', 'due')] };
  const captured: AssignmentStatus = { assignment: ps1, students: [student('student1', 'captured'), student('student2', 'captured')] };

  it('lists the assignments with their extension counts', async () => {
    const { model: m } = model([captured]);
    await m.refresh();
    expect(m.items()).toEqual([{ id: 'ps1', title: 'Problem set 1', dueAtLocal: '2026-11-23 12:00 (Europe/Paris)', extensions: 0 }]);
    expect(m.students.map((s) => s.name)).toEqual(['student1', 'student2']);
    expect(assignmentListItems([{ ...ps1, title: '' }])[0]!.title).toBe('ps1');
  });

  it('creates an assignment with the due time in ISO form, selects it and follows its captures to the end', async () => {
    const { model: m, requests, sleeps } = model([capturing, capturing, captured]);
    const created = await m.create({ id: ' ps1 ', title: '', due: '2026-11-23T12:00', snapshotAtDue: true });
    expect(created?.id).toBe('ps1');
    const body = requests.find((r) => r.call === `POST ${API}/assignments`)!.body as { id: string; dueAt: string; snapshotAtDue: boolean };
    expect(body).toMatchObject({ id: 'ps1', snapshotAtDue: true });
    expect(body.dueAt).toMatch(/^2026-11-23T12:00:00[+-]\d{2}:\d{2}$/);
    expect(new Date(body.dueAt).getTime()).toBe(new Date(2026, 10, 23, 12, 0).getTime());
    expect(m.selectedId).toBe('ps1');
    expect(sleeps).toEqual([100, 100]);
    expect(m.rows().map((r) => [r.student, r.status, r.receipt])).toEqual([
      ['student1', 'captured', 'at 2026-11-23T11:00:03.000Z · 4 files'],
      ['student2', 'captured', 'at 2026-11-23T11:00:03.000Z · 4 files'],
    ]);
  });

  it('refuses a form without id or due time, without calling the service', async () => {
    const { model: m, requests } = model([captured]);
    expect(await m.create({ id: '', title: '', due: '2026-11-23T12:00', snapshotAtDue: true })).toBeNull();
    expect(m.notice).toEqual({ text: 'Give the assignment an id', error: true });
    expect(await m.create({ id: 'ps1', title: '', due: '', snapshotAtDue: true })).toBeNull();
    expect(m.notice?.text).toBe('Give the assignment a due time');
    expect(requests).toEqual([]);
  });

  it('grants an extension and takes the captures now', async () => {
    const { model: m, requests } = model([captured]);
    await m.refresh();
    await m.select('ps1');
    await m.grantExtension('student2', '2026-11-30T12:00');
    expect(m.notice).toEqual({ text: 'student2 is now due 2026-11-30 12:00 (Europe/Paris)', error: false });
    expect(m.items()[0]!.extensions).toBe(1);
    expect((requests.find((r) => r.call.startsWith('PUT'))!.body as { dueAt: string }).dueAt).toMatch(/^2026-11-30T12:00:00[+-]/);
    await m.captureNow();
    expect(m.notice).toEqual({ text: '1 capture started, 1 already taken', error: false });
    expect(requests.at(-1)!.call).toBe(`GET ${API}/assignments/ps1/status`);
  });
});

describe('spokenDuration', () => {
  it('says how late in the unit that reads best', () => {
    expect([40, 600, 2700, 3600, 3 * 3600 + 300, 50 * 3600].map(spokenDuration)).toEqual([
      '40 s',
      '10 min',
      '45 min',
      '1 h',
      '3 h 5 min',
      '2 d 2 h',
    ]);
  });
});

describe('statusRows', () => {
  it('marks extensions, late captures and errors, and the feedback released', () => {
    const status: AssignmentStatus = {
      assignment: ps1,
      students: [
        student('student1', 'captured', {
          receipt: { ...receipt, files: 1, lateBySeconds: 600 },
          feedbackReleasedAt: '2026-11-24T09:00:00.000Z',
          submission: {
            snapshot: 'ps1-submission-2_2026-11-23',
            submittedAt: '2026-11-23T11:45:00.000Z',
            timestamp: '2026-11-23 11:45:00.000000',
            files: 2,
            bytes: 2048,
            manifestSha256: 'b'.repeat(64),
            lateBySeconds: 2700,
          },
        }),
        student('student2', 'failed', { extended: true, dueAtLocal: '2026-11-30 12:00 (Europe/Paris)', error: 'no home folder' }),
      ],
    };
    expect(statusRows(status, (iso) => `at ${iso}`)).toEqual([
      {
        student: 'student1',
        due: '2026-11-23 12:00 (Europe/Paris)',
        extended: false,
        status: 'captured',
        receipt: 'at 2026-11-23T11:00:03.000Z · 1 file',
        note: 'taken 10 min late',
        feedbackReleasedAt: 'at 2026-11-24T09:00:00.000Z',
        submission: 'at 2026-11-23T11:45:00.000Z · 2 files (45 min late)',
      },
      {
        student: 'student2',
        due: '2026-11-30 12:00 (Europe/Paris)',
        extended: true,
        status: 'failed',
        receipt: '—',
        note: 'no home folder',
        feedbackReleasedAt: '—',
        submission: '—',
      },
    ]);
  });
});
