/** A student's status on an assignment for the library's unit tests: nothing captured, submitted or released, then `more`. */
import type { AssignmentStudentStatus } from '@coursework/client';

export function studentStatus(student: string, more: Partial<AssignmentStudentStatus> = {}): AssignmentStudentStatus {
  return {
    student,
    dueAt: '2026-11-20T17:00:00.000Z',
    dueAtLocal: '2026-11-20 17:00 (UTC)',
    extended: false,
    status: 'upcoming',
    receipt: null,
    error: null,
    feedbackReleasedAt: null,
    feedbackScheduledAt: null,
    feedbackSeenAt: null,
    submission: null,
    ...more,
  };
}
