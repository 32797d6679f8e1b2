/** Which documents come from Coursework's read-only drives (their paths carry the drive's name as a prefix). */
import { FEEDBACK_DRIVE_NAME } from '../feedback/feedback-drive';
import { SNAPSHOTS_DRIVE_NAME } from '../snapshots/snapshots-drive';

export const READ_ONLY_DRIVES: readonly string[] = [SNAPSHOTS_DRIVE_NAME, FEEDBACK_DRIVE_NAME];

export function isReadOnlyDrivePath(path: string): boolean {
  return READ_ONLY_DRIVES.some((drive) => path.startsWith(`${drive}:`));
}
