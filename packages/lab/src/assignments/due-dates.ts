/**
 * What the Feedback section's header says about the student's assignments (due times, extensions, the receipt of
 * the deadline capture) and about feedback that arrived since they last looked.
 */
import type { CourseRef, MyAssignment, MyFeedbackAssignment } from '@coursework/client';
import { formatTime } from '../common/datetime';

export interface DueDateItem {
  id: string;
  title: string;
  dueAtLocal: string;
  extended: boolean;
  /** Whether the due time has passed (at the time of the view). */
  past: boolean;
  /** "captured ✓ 23 Nov 2026, 17:00" when the deadline capture was taken, else null. */
  captured: string | null;
  /** The receipt's manifest digest, shortened, for the hover text; null without a receipt. */
  receiptTitle: string | null;
}

/** Manifest digests are 64 hex digits; the first 12 tell receipts apart for people. */
export function shortDigest(sha256: string): string {
  return sha256.slice(0, 12);
}

/** The student's assignments by due time: upcoming first (soonest first), then past ones (latest first). */
export function dueDateItems(
  assignments: readonly MyAssignment[],
  now: Date = new Date(),
  format: (iso: string) => string = formatTime,
): DueDateItem[] {
  const at = now.getTime();
  const items = assignments.map((a) => {
    const due = new Date(a.dueAt).getTime();
    const receipt = a.status === 'captured' ? a.receipt : null;
    return {
      due,
      item: {
        id: a.id,
        title: a.title || a.id,
        dueAtLocal: a.dueAtLocal,
        extended: a.extended,
        past: due <= at,
        captured: receipt ? `captured ✓ ${format(receipt.takenAt)}` : null,
        receiptTitle: receipt
          ? `Receipt ${receipt.snapshot}: ${receipt.files} files, manifest SHA-256 ${shortDigest(receipt.manifestSha256)}…`
          : null,
      } satisfies DueDateItem,
    };
  });
  const upcoming = items.filter((i) => !i.item.past).sort((a, b) => a.due - b.due);
  const past = items.filter((i) => i.item.past).sort((a, b) => b.due - a.due);
  return [...upcoming, ...past].map((i) => i.item);
}

/** The student's due dates by course (in the order the service lists courses), each course's sorted as above. */
export function dueDateGroups(
  assignments: readonly MyAssignment[],
  now: Date = new Date(),
  format: (iso: string) => string = formatTime,
): { course: CourseRef; items: DueDateItem[] }[] {
  const courses = new Map<string, CourseRef>();
  for (const a of assignments) courses.set(a.course.id, a.course);
  return [...courses.values()].map((course) => ({
    course,
    items: dueDateItems(
      assignments.filter((a) => a.course.id === course.id),
      now,
      format,
    ),
  }));
}

/** When the student last looked at each assignment's feedback: the release time they saw, by `<course>/<assignment>`. */
export type SeenReleases = Readonly<Record<string, string>>;

const seenKey = (a: MyFeedbackAssignment) => `${a.course.id}/${a.assignment}`;

/**
 * The assignments with feedback released after the student last looked at them (never looked: new), named as the
 * Feedback section shows them: `<assignment>`, or `<course>/<assignment>` when the feedback spans several courses.
 */
export function newFeedback(assignments: readonly MyFeedbackAssignment[], seen: SeenReleases): string[] {
  const severalCourses = new Set(assignments.map((a) => a.course.id)).size > 1;
  return assignments
    .filter((a) => {
      // What was seen before feedback was kept by course is keyed by the assignment alone.
      const at = seen[seenKey(a)] ?? seen[a.assignment];
      return at === undefined || new Date(a.releasedAt).getTime() > new Date(at).getTime();
    })
    .map((a) => (severalCourses ? seenKey(a) : a.assignment));
}

/** `seen` with every listed assignment marked as seen up to its latest release. */
export function markSeen(assignments: readonly MyFeedbackAssignment[], seen: SeenReleases): SeenReleases {
  return { ...seen, ...Object.fromEntries(assignments.map((a) => [seenKey(a), a.releasedAt])) };
}

/** Parses what was stored (anything unreadable counts as "never looked"). */
export function parseSeen(text: string | null): SeenReleases {
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return {};
  }
}
