/**
 * One assignment across the class, as a picture and in words: when each student's work was captured or submitted
 * relative to their own due time, and how big it was (empty and oversized homes stand out), as a Vega-Lite chart
 * drawn by JupyterLab's renderer; and a summary for reading and for screen readers.
 */
import type { ClassStatus } from '@coursework/client';
import { spokenDuration } from '../common/datetime';

export interface WorkPoint {
  student: string;
  kind: 'capture' | 'submission';
  /** Hours after the student's own due time (negative: before it). */
  hours: number;
  bytes: number;
  files: number;
}

/** Every capture and submission of the assignment (column `column` of the class). */
export function workPoints(view: ClassStatus, column: number): WorkPoint[] {
  const points: WorkPoint[] = [];
  view.students.forEach((student, i) => {
    const status = view.status[i]?.[column];
    if (!status) return;
    const due = Date.parse(status.dueAt);
    if (status.receipt) {
      const { takenAt, bytes, files } = status.receipt;
      points.push({ student, kind: 'capture', hours: (Date.parse(takenAt) - due) / 3600_000, bytes, files });
    }
    if (status.submission) {
      const { submittedAt, bytes, files } = status.submission;
      points.push({ student, kind: 'submission', hours: (Date.parse(submittedAt) - due) / 3600_000, bytes, files });
    }
  });
  return points;
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** The chart in words: how many were captured and submitted, how late, and the sizes. */
export function assignmentSummary(view: ClassStatus, column: number): string {
  const statuses = view.status.map((row) => row[column]).filter((s) => s !== undefined);
  const points = workPoints(view, column);
  const captures = points.filter((p) => p.kind === 'capture');
  const submissions = points.filter((p) => p.kind === 'submission');
  const late = captures.filter((p) => p.hours * 3600 > 60);
  const missing = statuses.filter((s) => s.status === 'due' || s.status === 'failed').length;
  const parts = [`${captures.length} of ${statuses.length} captured`];
  if (late.length > 0) {
    const latest = Math.max(...late.map((p) => p.hours));
    parts.push(`${late.length} late (the latest ${spokenDuration(latest * 3600)} after the due time)`);
  }
  if (missing > 0) parts.push(`${missing} missing or failed`);
  if (submissions.length > 0) parts.push(`${submissions.length} submitted through nbgrader`);
  if (captures.length > 0) {
    const sizes = captures.map((p) => p.bytes).sort((a, b) => a - b);
    const largest = captures.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const empty = captures.filter((p) => p.files === 0 || p.bytes === 0).length;
    parts.push(
      `sizes: median ${size(sizes[Math.floor(sizes.length / 2)]!)}, largest ${size(largest.bytes)} (${largest.student})${empty > 0 ? `, ${empty} empty` : ''}`,
    );
  }
  return `${parts.join('; ')}.`;
}

/** Two charts side by side: when (hours from the due time) and how big (a symmetric log scale, so 0 B shows). */
export function assignmentSpec(view: ClassStatus, column: number, width = 600): Record<string, unknown> {
  const values = workPoints(view, column).map((p) => ({ ...p, size: size(p.bytes) }));
  const y = { field: 'kind', type: 'nominal', title: null, sort: ['capture', 'submission'] };
  const color = { field: 'kind', type: 'nominal', title: null, scale: { domain: ['capture', 'submission'] } };
  const tooltip = [
    { field: 'student', title: 'Student' },
    { field: 'kind', title: 'What' },
    { field: 'hours', title: 'Hours after due', format: '.2f' },
    { field: 'size', title: 'Size' },
    { field: 'files', title: 'Files' },
  ];
  const half = Math.max(200, Math.floor((width - 60) / 2));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    description: 'When each student’s work was captured or submitted relative to their due time, and its size',
    data: { values },
    hconcat: [
      {
        title: 'When, relative to the due time',
        width: half,
        height: 80,
        layer: [
          { mark: { type: 'rule', color: '#d62728', strokeDash: [4, 2] }, encoding: { x: { datum: 0, type: 'quantitative' } } },
          {
            mark: { type: 'tick', thickness: 2, opacity: 0.7 },
            encoding: { x: { field: 'hours', type: 'quantitative', title: 'hours after the due time' }, y, color, tooltip },
          },
        ],
      },
      {
        title: 'How big',
        width: half,
        height: 80,
        mark: { type: 'tick', thickness: 2, opacity: 0.7 },
        encoding: {
          x: { field: 'bytes', type: 'quantitative', title: 'bytes', scale: { type: 'symlog' }, axis: { format: '~s' } },
          y,
          color,
          tooltip,
        },
      },
    ],
  };
}
