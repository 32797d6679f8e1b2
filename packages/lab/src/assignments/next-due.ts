/**
 * What a student's status bar says: their next due time (their own, with an extension), how long until it, and
 * the receipt of their latest deadline capture.
 */
import type { MyAssignment } from '@coursework/client';
import { formatTime, spokenDuration } from '../common/datetime';
import { shortDigest } from './due-dates';

export interface NextDue {
  /** "ps1 due in 2 d 3 h", or "No upcoming due dates". */
  text: string;
  /** The longer form, for the tooltip and screen readers. */
  description: string;
  /** Under a day to go. */
  soon: boolean;
}

const DAY_MS = 24 * 3600 * 1000;

export function nextDue(
  assignments: readonly MyAssignment[],
  now: Date = new Date(),
  format: (iso: string) => string = formatTime,
): NextDue {
  const at = now.getTime();
  const upcoming = assignments.filter((a) => Date.parse(a.dueAt) > at).sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
  const receipts = assignments
    .filter((a) => a.status === 'captured' && a.receipt)
    .map((a) => ({ assignment: a, receipt: a.receipt! }))
    .sort((a, b) => Date.parse(b.receipt.takenAt) - Date.parse(a.receipt.takenAt));
  const last = receipts[0];
  const captured = last
    ? `Last capture: ${last.assignment.title || last.assignment.id}, ${format(last.receipt.takenAt)}, ${last.receipt.files} file${last.receipt.files === 1 ? '' : 's'} (receipt ${shortDigest(last.receipt.manifestSha256)}…).`
    : '';
  const next = upcoming[0];
  if (!next)
    return { text: 'No upcoming due dates', description: ['No upcoming due dates.', captured].filter(Boolean).join(' '), soon: false };
  const remaining = Date.parse(next.dueAt) - at;
  const name = next.title || next.id;
  const more = upcoming.length > 1 ? ` ${upcoming.length - 1} more after it.` : '';
  return {
    text: `${next.id} due in ${spokenDuration(remaining / 1000)}`,
    description: [
      `${name} (${next.course.title}) is due ${next.dueAtLocal}${next.extended ? ', with your extension' : ''}: in ${spokenDuration(remaining / 1000)}.${more}`,
      captured,
    ]
      .filter(Boolean)
      .join(' '),
    soon: remaining < DAY_MS,
  };
}
