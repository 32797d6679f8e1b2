/**
 * A student's timeline as a picture and as words: a Vega-Lite chart (drawn by JupyterLab's own Vega renderer) of
 * every event on a time axis, a row per kind of event, with each assignment's due time for the student as a rule
 * (dashed when extended); and the same events as a list, for reading and for screen readers.
 */
import type { StudentTimeline, TimelineEvent, TimelineEventKind } from '@coursework/client';
import { formatTime } from '../common/datetime';

export const VEGA_LITE_MIME = 'application/vnd.vegalite.v5+json';

/** Each kind's row on the chart, from the work's life to the feedback's, and how it is said. */
const KINDS: Record<TimelineEventKind, { row: string; label: string }> = {
  snapshot: { row: 'Snapshots', label: 'snapshot' },
  capture: { row: 'Snapshots', label: 'deadline capture' },
  'capture-failed': { row: 'Snapshots', label: 'deadline capture failed:' },
  'snapshot-deleted': { row: 'Snapshots', label: 'snapshot deleted' },
  'snapshot-downloaded': { row: 'Downloads', label: 'downloaded' },
  submission: { row: 'Submissions', label: 'submitted' },
  extension: { row: 'Extensions', label: 'extension granted' },
  'feedback-scheduled': { row: 'Feedback', label: 'feedback scheduled' },
  'feedback-released': { row: 'Feedback', label: 'feedback released' },
  'feedback-delivered': { row: 'Feedback', label: 'feedback delivered to the home' },
  'feedback-withdrawn': { row: 'Feedback', label: 'feedback withdrawn' },
  'feedback-viewed': { row: 'Feedback', label: 'feedback opened by the student' },
};

const ROWS = ['Snapshots', 'Submissions', 'Extensions', 'Feedback', 'Downloads'];

/** One line of the list: "20 Nov 2026, 17:00 · hw1 · deadline capture hw1_2026-11-20 (3 files) · by instructor". */
export function describeEvent(event: TimelineEvent): string {
  const files = event.files === undefined ? '' : ` (${event.files} file${event.files === 1 ? '' : 's'})`;
  const parts = [formatTime(event.at), event.assignment, `${KINDS[event.kind].label} ${event.what}${files}`, `by ${event.by}`];
  return parts.filter(Boolean).join(' · ');
}

/** The chart: a point per event on its kind's row, a rule per due time; tooltips say what each is. */
export function timelineSpec(timeline: StudentTimeline, width = 600): Record<string, unknown> {
  const events = timeline.events.map((event) => ({
    at: event.at,
    row: KINDS[event.kind].row,
    kind: KINDS[event.kind].label,
    assignment: event.assignment ?? '',
    what: event.what,
    by: event.by,
  }));
  const dues = timeline.dues.map((due) => ({
    at: due.dueAt,
    label: `${due.title || due.assignment} due${due.extended ? ' (extended)' : ''}`,
    extended: due.extended,
  }));
  const x = { field: 'at', type: 'temporal', title: null, axis: { format: '%b %d %H:%M', labelAngle: 0 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    description: `Timeline of ${timeline.student}: snapshots, submissions, extensions and feedback, with due times`,
    width,
    height: 40 * ROWS.length,
    layer: [
      {
        data: { values: dues },
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: {
          x,
          strokeDash: {
            field: 'extended',
            type: 'nominal',
            scale: {
              domain: [false, true],
              range: [
                [1, 0],
                [6, 3],
              ],
            },
            legend: null,
          },
          color: { value: '#d62728' },
          tooltip: [
            { field: 'label', title: 'Due' },
            { field: 'at', type: 'temporal', title: 'At', format: '%Y-%m-%d %H:%M' },
          ],
        },
      },
      {
        data: { values: events },
        mark: { type: 'point', filled: true, size: 90 },
        encoding: {
          x,
          y: { field: 'row', type: 'nominal', title: null, sort: ROWS, scale: { domain: ROWS } },
          color: { field: 'kind', type: 'nominal', title: 'Event' },
          shape: { field: 'kind', type: 'nominal', legend: null },
          tooltip: [
            { field: 'kind', title: 'Event' },
            { field: 'assignment', title: 'Assignment' },
            { field: 'what', title: 'What' },
            { field: 'by', title: 'By' },
            { field: 'at', type: 'temporal', title: 'At', format: '%Y-%m-%d %H:%M:%S' },
          ],
        },
      },
    ],
  };
}
