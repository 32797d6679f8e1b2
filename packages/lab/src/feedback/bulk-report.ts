/** The rows of the table that shows what a bulk feedback zip did, student by student. */
import type { BulkReleaseReport, BulkStudentReport } from '@coursework/client';

export interface ReportRow {
  /** The student's folder in the zip, or null for entries that belong to no student folder. */
  student: string | null;
  status: BulkStudentReport['status'] | 'outside-student-folders';
  /** What each status means, for people. */
  label: string;
  released: string[];
  /** `path: reason`, one per rejected entry. */
  rejected: string[];
}

const LABELS: Record<ReportRow['status'], string> = {
  released: 'released',
  'unknown-student': 'unknown student (nothing stored)',
  rejected: 'rejected',
  'outside-student-folders': 'not in a student folder',
};

/** Students in name order (with problems visible at a glance), then a row for entries outside student folders. */
export function reportRows(report: BulkReleaseReport): ReportRow[] {
  const rows: ReportRow[] = Object.entries(report.students)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([student, entry]) => ({
      student,
      status: entry.status,
      label: LABELS[entry.status],
      released: [...entry.files],
      rejected: entry.rejected.map((r) => `${r.path}: ${r.reason}`),
    }));
  if (report.rejected.length > 0) {
    rows.push({
      student: null,
      status: 'outside-student-folders',
      label: LABELS['outside-student-folders'],
      released: [],
      rejected: report.rejected.map((r) => `${r.path}: ${r.reason}`),
    });
  }
  return rows;
}

/** One line over the table: how many students got files, and how many entries were refused. */
export function reportSummary(report: BulkReleaseReport): string {
  const rows = reportRows(report);
  const released = rows.filter((r) => r.status === 'released').length;
  const files = rows.reduce((n, r) => n + r.released.length, 0);
  const rejected = rows.reduce((n, r) => n + r.rejected.length, 0);
  const unknown = rows.filter((r) => r.status === 'unknown-student').length;
  const parts = [`${files} file${files === 1 ? '' : 's'} released to ${released} student${released === 1 ? '' : 's'}`];
  if (unknown > 0) parts.push(`${unknown} unknown student folder${unknown === 1 ? '' : 's'}`);
  if (rejected > 0) parts.push(`${rejected} entr${rejected === 1 ? 'y' : 'ies'} rejected`);
  return `“${report.assignment}”: ${parts.join(', ')}`;
}
