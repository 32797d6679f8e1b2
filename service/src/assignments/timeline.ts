/**
 * A student's history in a course, on one time axis: snapshots and deadline captures, submissions through nbgrader's
 * exchange, deadline captures that failed, feedback released, delivered, withdrawn and opened by the student,
 * extensions; and each assignment's due
 * time for the student (with the extension). Read from the audit log (every one of those actions writes a row whose
 * target starts with the student's name), the captures (which snapshot is which assignment's capture) and the
 * assignments with their extensions.
 */
import type { AuditEntry, StudentTimeline, TimelineEvent, TimelineEventKind } from '@coursework/client';
import { readStudentAudit } from '../audit/audit';
import type { Catalog } from '../catalog/catalog';
import { capturesOf } from './scheduler';
import { type AssignmentStore, effectiveDue } from './store';

/** The most recent events a timeline shows (a student's whole term is a few hundred). */
export const TIMELINE_LIMIT = 2000;

const number = (value: unknown): number | null => (typeof value === 'number' ? value : null);

export class StudentTimelineReader {
  constructor(
    private readonly db: Catalog,
    private readonly assignments: AssignmentStore,
    private readonly courseId: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async of(student: string): Promise<Omit<StudentTimeline, 'course'>> {
    const [audit, captures, rows, extensions] = await Promise.all([
      readStudentAudit(this.db, this.courseId, student, TIMELINE_LIMIT),
      capturesOf(this.db, this.courseId, { student }),
      this.assignments.rows(),
      this.assignments.extensionRows(),
    ]);
    const captureOf = new Map(captures.filter((c) => c.snapshot_name).map((c) => [c.snapshot_name!, c.assignment_id]));
    const events: TimelineEvent[] = [];
    for (const entry of audit) {
      const event = this.eventOf(entry, student, captureOf);
      if (event) events.push(event);
    }
    for (const extension of extensions) {
      if (extension.student !== student) continue;
      events.push({
        at: extension.granted_at,
        kind: 'extension',
        assignment: extension.assignment_id,
        what: `extension to ${extension.due_at}`,
        by: extension.granted_by,
      });
    }
    events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    return {
      student,
      dues: rows.map((row) => {
        const { dueAt, extended } = effectiveDue(row, extensions, student);
        return { assignment: row.id, title: row.title, dueAt, extended };
      }),
      events,
      truncated: audit.length >= TIMELINE_LIMIT,
    };
  }

  /** The event an audit row stands for, or none (actions a timeline does not show). */
  private eventOf(entry: AuditEntry, student: string, captureOf: ReadonlyMap<string, string>): TimelineEvent | null {
    // Targets are `student/rest`: a snapshot's name, or an assignment (and a feedback file's path).
    const rest = entry.target.slice(student.length + 1);
    const [first = '', ...path] = rest.split('/');
    const base = { at: entry.at, by: entry.actor };
    const detail = entry.detail;
    switch (entry.action) {
      case 'snapshot.taken': {
        const assignment = captureOf.get(first) ?? null;
        const files = number(detail.files);
        const bytes = number(detail.bytes);
        return {
          ...base,
          kind: assignment ? 'capture' : 'snapshot',
          assignment,
          what: first,
          ...(files === null ? {} : { files }),
          ...(bytes === null ? {} : { bytes }),
        };
      }
      case 'snapshot.deleted':
        return { ...base, kind: 'snapshot-deleted', assignment: captureOf.get(first) ?? null, what: first };
      case 'snapshot.downloaded':
        return { ...base, kind: 'snapshot-downloaded', assignment: captureOf.get(first) ?? null, what: rest };
      case 'capture.failed':
        return { ...base, kind: 'capture-failed', assignment: first, what: String(detail.error ?? 'failed') };
      case 'exchange.submitted': {
        const files = number(detail.files);
        const bytes = number(detail.bytes);
        return {
          ...base,
          kind: 'submission',
          assignment: first,
          what: String(detail.snapshot ?? first),
          ...(files === null ? {} : { files }),
          ...(bytes === null ? {} : { bytes }),
        };
      }
      case 'feedback.released': {
        // Seen from its release time on, which may be later than when it was scheduled.
        const releaseAt = typeof detail.releaseAt === 'string' ? detail.releaseAt : entry.at;
        const files = Array.isArray(detail.files) ? detail.files.length : null;
        const kind: TimelineEventKind = releaseAt > this.now().toISOString() ? 'feedback-scheduled' : 'feedback-released';
        return { ...base, at: releaseAt, kind, assignment: first, what: first, ...(files === null ? {} : { files }) };
      }
      case 'feedback.delivered':
        return { ...base, kind: 'feedback-delivered', assignment: first, what: path.join('/') };
      case 'feedback.withdrawn':
        return { ...base, kind: 'feedback-withdrawn', assignment: first, what: path.length > 0 ? path.join('/') : first };
      case 'feedback.downloaded':
        // Opened by the student (an instructor reading it is not the student seeing it).
        return entry.actor === student ? { ...base, kind: 'feedback-viewed', assignment: first, what: path.join('/') } : null;
      default:
        return null;
    }
  }
}
