/** What a snapshot job says of each student, in words: nothing when the student's snapshot was taken. */
import type { StudentOutcome } from '@coursework/client';

const OUTCOME_MESSAGES: Partial<Record<StudentOutcome['status'], string>> = {
  failed: 'failed',
  'no-home': 'has no home folder',
  'not-taken': 'was not taken',
  'not-a-student': 'is not a student of the course',
  exists: 'already has a snapshot of this name',
};

/** Why the student's snapshot was not taken, or null when it was (or is still being taken). */
export function outcomeProblem(outcome: StudentOutcome): string | null {
  const message = OUTCOME_MESSAGES[outcome.status];
  if (!message) return null;
  return outcome.error ? `${message}: ${outcome.error}` : message;
}
