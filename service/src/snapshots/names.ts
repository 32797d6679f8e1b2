/**
 * Snapshot names, compatible with the seed API: the given name is slugified (Django's rules) and suffixed with
 * the date, `Assignment 1!` → `assignment-1_2026-11-23`. The date is the course's local date.
 */
import { InvalidInputError } from '../util/invalid-input';

export class InvalidNameError extends InvalidInputError {
  override name = 'InvalidNameError';
}

const MAX_GIVEN = 100;
const FULL_NAME = /^[a-z0-9][a-z0-9_-]{0,99}_\d{4}-\d{2}-\d{2}$/;

/** Django's slugify: ASCII-folded, lower-case, `[\w\s-]` only, spaces and dashes collapsed into `-`. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[^\x00-\x7f]/g, '')
    .toLowerCase()
    .replace(/[^\w\s-]/g, '')
    .replace(/[-\s]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
}

/** Validates a name as given by a caller and returns its slug. */
export function snapshotBaseName(given: unknown): string {
  if (typeof given !== 'string' || given.trim() === '') throw new InvalidNameError('name is required');
  if (given.length > MAX_GIVEN) throw new InvalidNameError(`name is longer than ${MAX_GIVEN} characters`);
  if (/[/\\\u0000-\u001f\u007f]/.test(given) || given.includes('..')) {
    throw new InvalidNameError('name may not contain "/", "\\", ".." or control characters');
  }
  const slug = slugify(given);
  if (slug === '') throw new InvalidNameError('name needs at least one letter or digit');
  return slug;
}

/** `YYYY-MM-DD` of `at` in the time zone. */
export function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

export function fullSnapshotName(baseName: string, at: Date, timeZone: string): string {
  return `${baseName}_${localDate(at, timeZone)}`;
}

/** Whether a path parameter can be a snapshot name at all (checked before any look-up). */
export function isFullSnapshotName(name: string): boolean {
  return FULL_NAME.test(name);
}
