import type { AssignmentStudentStatus, ClassStatus } from '@coursework/client';
import { studentStatus } from '../testing/student-status';
import { assignmentSpec, assignmentSummary, workPoints } from './assignment-chart';

const cell = (student: string, more: Partial<AssignmentStudentStatus>) => studentStatus(student, { status: 'captured', ...more });
const receipt = (takenAt: string, bytes: number, files = 2) => ({
  snapshot: 'hw1_2026-11-20',
  takenAt,
  files,
  bytes,
  manifestSha256: 'a'.repeat(64),
  lateBySeconds: null,
});

const view: ClassStatus = {
  course: { id: 'c', title: 'C' },
  assignments: [],
  students: ['ada', 'bob', 'cy', 'dee'],
  status: [
    [cell('ada', { receipt: receipt('2026-11-20T17:00:30.000Z', 2048) })],
    // Extended by a day, captured at their own due time.
    [cell('bob', { dueAt: '2026-11-21T17:00:00.000Z', extended: true, receipt: receipt('2026-11-21T17:00:00.000Z', 0, 0) })],
    [
      cell('cy', {
        receipt: receipt('2026-11-20T19:00:00.000Z', 300 * 1024 * 1024),
        submission: {
          snapshot: 's',
          submittedAt: '2026-11-20T16:00:00.000Z',
          timestamp: '',
          files: 1,
          bytes: 10,
          manifestSha256: 'b',
          lateBySeconds: null,
        },
      }),
    ],
    [cell('dee', { status: 'due' })],
  ],
};

describe('an assignment across the class', () => {
  it('places each capture and submission relative to the student’s own due time', () => {
    expect(workPoints(view, 0).map((p) => [p.student, p.kind, p.hours, p.bytes])).toEqual([
      ['ada', 'capture', 30 / 3600, 2048],
      ['bob', 'capture', 0, 0],
      ['cy', 'capture', 2, 300 * 1024 * 1024],
      ['cy', 'submission', -1, 10],
    ]);
  });

  it('says in words how many, how late, and how big', () => {
    expect(assignmentSummary(view, 0)).toBe(
      '3 of 4 captured; 1 late (the latest 2 h after the due time); 1 missing or failed; 1 submitted through nbgrader; sizes: median 2.0 KB, largest 300 MB (cy), 1 empty.',
    );
  });

  it('charts the times and the sizes side by side, sizes on a scale where 0 B shows', () => {
    const spec = assignmentSpec(view, 0, 800) as {
      data: { values: unknown[] };
      hconcat: { encoding?: { x: { scale?: { type: string } } } }[];
    };
    expect(spec.data.values).toHaveLength(4);
    expect(spec.hconcat).toHaveLength(2);
    expect(spec.hconcat[1]!.encoding!.x.scale).toEqual({ type: 'symlog' });
  });
});
