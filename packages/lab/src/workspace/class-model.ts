/**
 * The class workspace's rows: a student per row, an assignment per column, each cell what happened to the student's
 * work on the assignment (capture, submission, feedback), with the filters and the order the workspace offers.
 */
import type { AssignmentStudentStatus, ClassStatus } from '@coursework/client';
import { spokenDuration } from '../common/datetime';

/** A cell's state, for its colour and the filters. */
export type CellState = 'captured' | 'late' | 'missing' | 'failed' | 'upcoming' | 'capturing' | 'submitted' | 'none';

export interface ClassCell {
  state: CellState;
  /**
   * What the cell says: "captured", "late 12 min", "submitted", … with "· feedback" when some was released ("· feedback
   * seen" once the student opened it since, "· feedback scheduled" while it waits for its time).
   */
  text: string;
  /** The longer form, for the tooltip and screen readers. */
  description: string;
  extended: boolean;
  feedback: boolean;
}

export interface ClassRow {
  student: string;
  cells: ClassCell[];
}

export type StateFilter = 'all' | 'no-capture' | 'late' | 'no-feedback';

export const STATE_FILTERS: { value: StateFilter; label: string }[] = [
  { value: 'all', label: 'All students' },
  { value: 'no-capture', label: 'No capture' },
  { value: 'late', label: 'Late' },
  { value: 'no-feedback', label: 'No feedback yet' },
];

export function cellOf(status: AssignmentStudentStatus, title: string): ClassCell {
  const late = status.receipt?.lateBySeconds ?? null;
  const submissionLate = status.submission?.lateBySeconds ?? null;
  let state: CellState;
  let text: string;
  switch (status.status) {
    case 'captured':
      state = late ? 'late' : 'captured';
      text = late ? `late ${spokenDuration(late)}` : 'captured';
      break;
    case 'due':
      state = 'missing';
      text = 'missing';
      break;
    case 'failed':
      state = 'failed';
      text = 'failed';
      break;
    case 'capturing':
      state = 'capturing';
      text = 'capturing';
      break;
    case 'upcoming':
      state = 'upcoming';
      text = 'upcoming';
      break;
    default:
      state = 'none';
      text = '—';
  }
  if (status.submission) {
    const submitted = submissionLate ? `submitted ${spokenDuration(submissionLate)} late` : 'submitted';
    if (state === 'none' || state === 'upcoming') {
      state = submissionLate ? 'late' : 'submitted';
      text = submitted;
    } else {
      text = `${text} · ${submitted}`;
    }
  }
  const feedback = status.feedbackReleasedAt !== null;
  if (status.feedbackSeenAt !== null) text += ' · feedback seen';
  else if (feedback) text += ' · feedback';
  else if (status.feedbackScheduledAt !== null) text += ' · feedback scheduled';
  const parts = [
    `${status.student}, ${title}: due ${status.dueAtLocal}${status.extended ? ' (extended)' : ''}`,
    status.receipt ? `captured ${status.receipt.takenAt}${late ? `, ${spokenDuration(late)} late` : ''}` : status.status,
    status.submission
      ? `submitted ${status.submission.submittedAt}${submissionLate ? `, ${spokenDuration(submissionLate)} late` : ''}`
      : null,
    feedback ? `feedback released ${status.feedbackReleasedAt}` : 'no feedback',
    status.feedbackSeenAt ? `seen by the student ${status.feedbackSeenAt}` : feedback ? 'not yet seen by the student' : null,
    status.feedbackScheduledAt ? `feedback scheduled for ${status.feedbackScheduledAt}` : null,
    status.error ? `error: ${status.error}` : null,
  ];
  return { state, text, description: parts.filter(Boolean).join('; '), extended: status.extended, feedback };
}

export function classRows(view: ClassStatus): ClassRow[] {
  const titles = view.assignments.map((a) => a.title || a.id);
  return view.students.map((student, i) => ({ student, cells: (view.status[i] ?? []).map((status, j) => cellOf(status, titles[j]!)) }));
}

function matchesState(row: ClassRow, filter: StateFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'no-capture':
      return row.cells.some((c) => c.state === 'missing' || c.state === 'failed');
    case 'late':
      return row.cells.some((c) => c.state === 'late' || c.text.includes(' late'));
    case 'no-feedback':
      return row.cells.some((c) => (c.state === 'captured' || c.state === 'late' || c.state === 'submitted') && !c.feedback);
  }
}

/** The rows to show: those whose name contains `text` (any case) and that `state` keeps, in `order`. */
export function visibleRows(
  rows: readonly ClassRow[],
  options: { text: string; state: StateFilter; sortBy: number | null; descending: boolean },
): ClassRow[] {
  const text = options.text.trim().toLowerCase();
  const kept = rows.filter((row) => (text === '' || row.student.toLowerCase().includes(text)) && matchesState(row, options.state));
  const key = (row: ClassRow) => (options.sortBy === null ? row.student : `${row.cells[options.sortBy]?.text ?? ''}\u0000${row.student}`);
  kept.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * (options.descending ? -1 : 1));
  return kept;
}
