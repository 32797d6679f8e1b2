import type { BulkReleaseReport } from '@coursework/client';
import { reportRows, reportSummary } from './bulk-report';

const report: BulkReleaseReport = {
  assignment: 'ps1',
  releaseAt: '2026-11-23T10:00:00.000Z',
  students: {
    student2: {
      status: 'released',
      files: ['report.html', 'graded/ps1.ipynb'],
      rejected: [{ path: 'run.exe', reason: 'the extension .exe is not allowed' }],
    },
    outsider: {
      status: 'unknown-student',
      files: [],
      rejected: [{ path: 'notes.txt', reason: 'outsider is not a student of this course' }],
    },
    student1: { status: 'rejected', files: [], rejected: [{ path: 'huge.pdf', reason: 'larger than 10 bytes' }] },
  },
  rejected: [{ path: 'README.txt', reason: 'not in a student folder' }],
};

describe('reportRows', () => {
  it('lists each student folder in name order, then the entries outside student folders', () => {
    expect(reportRows(report)).toEqual([
      {
        student: 'outsider',
        status: 'unknown-student',
        label: 'unknown student (nothing stored)',
        released: [],
        rejected: ['notes.txt: outsider is not a student of this course'],
      },
      { student: 'student1', status: 'rejected', label: 'rejected', released: [], rejected: ['huge.pdf: larger than 10 bytes'] },
      {
        student: 'student2',
        status: 'released',
        label: 'released',
        released: ['report.html', 'graded/ps1.ipynb'],
        rejected: ['run.exe: the extension .exe is not allowed'],
      },
      {
        student: null,
        status: 'outside-student-folders',
        label: 'not in a student folder',
        released: [],
        rejected: ['README.txt: not in a student folder'],
      },
    ]);
  });

  it('has no extra row when every entry was in a student folder', () => {
    expect(reportRows({ ...report, rejected: [] }).map((r) => r.student)).toEqual(['outsider', 'student1', 'student2']);
    expect(reportRows({ ...report, students: {}, rejected: [] })).toEqual([]);
  });

  it('sums the report up in one line', () => {
    expect(reportSummary(report)).toBe('“ps1”: 2 files released to 1 student, 1 unknown student folder, 4 entries rejected');
    expect(reportSummary({ ...report, students: { student1: { status: 'released', files: ['a.txt'], rejected: [] } }, rejected: [] })).toBe(
      '“ps1”: 1 file released to 1 student',
    );
  });
});
