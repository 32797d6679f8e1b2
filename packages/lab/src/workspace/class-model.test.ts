import type { ClassStatus } from '@coursework/client';
import { studentStatus } from '../testing/student-status';
import { cellOf, classRows, visibleRows } from './class-model';

const status = studentStatus;
const receipt = {
  snapshot: 's',
  takenAt: '2026-11-20T17:00:02.000Z',
  files: 2,
  bytes: 10,
  manifestSha256: 'a'.repeat(64),
  lateBySeconds: null,
};
const submission = {
  snapshot: 'ps1-submission-1_2026-11-20',
  submittedAt: '2026-11-20T16:00:00.000Z',
  timestamp: '2026-11-20 16:00:00.000000',
  files: 1,
  bytes: 5,
  manifestSha256: 'b'.repeat(64),
  lateBySeconds: null,
};

describe('class cells', () => {
  it('say what happened to the work: captured, late, missing, failed, submitted, with feedback', () => {
    expect(cellOf(status('a', { status: 'captured', receipt }), 'PS1')).toMatchObject({
      state: 'captured',
      text: 'captured',
      feedback: false,
    });
    expect(cellOf(status('a', { status: 'captured', receipt: { ...receipt, lateBySeconds: 720 } }), 'PS1')).toMatchObject({
      state: 'late',
      text: 'late 12 min',
    });
    expect(cellOf(status('a', { status: 'due' }), 'PS1')).toMatchObject({ state: 'missing', text: 'missing' });
    expect(cellOf(status('a', { status: 'failed', error: 'no home' }), 'PS1').description).toContain('error: no home');
    expect(cellOf(status('a', { status: 'not-scheduled', submission }), 'PS1')).toMatchObject({ state: 'submitted', text: 'submitted' });
    expect(cellOf(status('a', { status: 'not-scheduled', submission: { ...submission, lateBySeconds: 3600 } }), 'PS1')).toMatchObject({
      state: 'late',
      text: 'submitted 1 h late',
    });
    const all = cellOf(
      status('a', { status: 'captured', receipt, submission, feedbackReleasedAt: '2026-11-21T09:00:00.000Z', extended: true }),
      'PS1',
    );
    expect(all).toMatchObject({ state: 'captured', text: 'captured · submitted · feedback', extended: true, feedback: true });
    expect(all.description).toMatch(/^a, PS1: due 2026-11-20 17:00 \(UTC\) \(extended\); captured .*; submitted .*; feedback released/);
    expect(cellOf(status('a', { status: 'not-scheduled' }), 'PS1')).toMatchObject({ state: 'none', text: '—' });
  });

  it('say whether the feedback is scheduled, released, or seen by the student', () => {
    const released = { status: 'captured' as const, receipt, feedbackReleasedAt: '2026-11-21T09:00:00.000Z' };
    expect(cellOf(status('a', { status: 'captured', receipt, feedbackScheduledAt: '2026-11-22T09:00:00.000Z' }), 'PS1')).toMatchObject({
      text: 'captured · feedback scheduled',
      feedback: false,
    });
    const unseen = cellOf(status('a', released), 'PS1');
    expect(unseen.text).toBe('captured · feedback');
    expect(unseen.description).toContain('not yet seen by the student');
    const seen = cellOf(status('a', { ...released, feedbackSeenAt: '2026-11-21T10:00:00.000Z' }), 'PS1');
    expect(seen).toMatchObject({ text: 'captured · feedback seen', feedback: true });
    expect(seen.description).toContain('seen by the student 2026-11-21T10:00:00.000Z');
  });
});

describe('the rows shown', () => {
  const view: ClassStatus = {
    course: { id: 'c', title: 'C' },
    assignments: [],
    students: ['carol', 'alice', 'bob'],
    status: [
      [status('carol', { status: 'captured', receipt })],
      [status('alice', { status: 'due' })],
      [status('bob', { status: 'captured', receipt: { ...receipt, lateBySeconds: 90 }, feedbackReleasedAt: '2026-11-21T09:00:00.000Z' })],
    ],
  };
  const rows = classRows(view);
  const names = (options: Partial<Parameters<typeof visibleRows>[1]>) =>
    visibleRows(rows, { text: '', state: 'all', sortBy: null, descending: false, ...options }).map((r) => r.student);

  it('filter by name and by state, and sort by name or by a column', () => {
    expect(names({})).toEqual(['alice', 'bob', 'carol']);
    expect(names({ descending: true })).toEqual(['carol', 'bob', 'alice']);
    expect(names({ text: 'CA' })).toEqual(['carol']);
    expect(names({ state: 'no-capture' })).toEqual(['alice']);
    expect(names({ state: 'late' })).toEqual(['bob']);
    expect(names({ state: 'no-feedback' })).toEqual(['carol']);
    expect(names({ sortBy: 0 })).toEqual(['carol', 'bob', 'alice']);
  });
});
