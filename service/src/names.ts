/**
 * Every name the service takes from outside, checked in one place: user names (they become home paths), snapshot
 * names (compatible with the seed API), and the names in feedback (assignment ids, file paths inside a release, the
 * seed's file-name sanitising). Each ends up as a path component somewhere, so each is checked as hostile input.
 */
import { InvalidInputError } from './util/invalid-input';

// User names.

export class InvalidUserNameError extends InvalidInputError {
  override name = 'InvalidUserNameError';
}

/** Hub user names are free-form; in a path only a plain, single component is acceptable. */
export function assertSafeUserName(name: string): void {
  const bad =
    name.length === 0 || name.length > 255 || name === '.' || name === '..' || /[/\\\0]/.test(name) || /[\u0000-\u001f\u007f]/.test(name);
  if (bad) throw new InvalidUserNameError(`not a usable user name: ${JSON.stringify(name.slice(0, 64))}`);
}

// Snapshot names: the given name is slugified (Django's rules) and suffixed with the date, `Assignment 1!` →
// `assignment-1_2026-11-23`. The date is the course's local date.
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

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** `YYYY-MM-DD` of `at` in the time zone (each zone's formatter made once: making one costs more than using it). */
export function localDate(at: Date, timeZone: string): string {
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timeZone, format);
  }
  return format.format(at);
}

export function fullSnapshotName(baseName: string, at: Date, timeZone: string): string {
  return `${baseName}_${localDate(at, timeZone)}`;
}

/** Whether a path parameter can be a snapshot name at all (checked before any look-up). */
export function isFullSnapshotName(name: string): boolean {
  return FULL_NAME.test(name);
}

// Feedback names.

export class InvalidFeedbackNameError extends InvalidInputError {
  override name = 'InvalidFeedbackNameError';
}

const ASSIGNMENT = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/;

/** nbgrader's assignment folder names: letters, digits, space, `.`, `_`, `-`; not ending in a dot or space. */
export function assertAssignmentId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !ASSIGNMENT.test(id) || /[. ]$/.test(id) || id.includes('..')) {
    throw new InvalidFeedbackNameError(
      `not a usable assignment name: ${JSON.stringify(String(id).slice(0, 64))} (letters, digits, space, ., _ and -, at most 100)`,
    );
  }
}

const MAX_PATH_CHARS = 1024;
const MAX_SEGMENT_BYTES = 255;

/**
 * A relative `/`-separated path of plain components: no `.`/`..`, no empty component (nor, unless `hidden`, a hidden
 * one), no control characters or backslashes, bounded lengths. Returns it unchanged.
 */
export function assertRelativePath(filePath: unknown, options: { hidden: boolean }): string {
  const fail = (why: string): never => {
    throw new InvalidFeedbackNameError(`bad file path ${JSON.stringify(String(filePath).slice(0, 120))}: ${why}`);
  };
  if (typeof filePath !== 'string' || filePath === '') return fail('empty');
  if (filePath.length > MAX_PATH_CHARS) fail(`longer than ${MAX_PATH_CHARS} characters`);
  if (/[\u0000-\u001f\u007f\\]/.test(filePath)) fail('control characters and backslashes are not allowed');
  if (filePath.startsWith('/')) fail('must be relative');
  for (const segment of filePath.split('/')) {
    if (segment === '') fail('empty component');
    if (segment === '.' || segment === '..') fail('`.` and `..` are not allowed');
    if (!options.hidden && segment.startsWith('.')) fail('hidden files and folders are not released');
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) fail(`a component is longer than ${MAX_SEGMENT_BYTES} bytes`);
  }
  return filePath;
}

/** A path inside a feedback release: relative, plain, and not hidden. */
export function assertFeedbackPath(filePath: unknown): string {
  return assertRelativePath(filePath, { hidden: false });
}

/** The lower-case extension with its dot (`.html`), or '' when the last component has none. */
export function extensionOf(filePath: string): string {
  const name = filePath.slice(filePath.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

export function assertAllowedExtension(filePath: string, allowed: readonly string[]): void {
  const extension = extensionOf(filePath);
  if (!allowed.includes(extension)) {
    throw new InvalidFeedbackNameError(
      `${JSON.stringify(filePath.slice(0, 120))}: ${extension ? `${extension} files are` : 'files without an extension are'} not accepted (allowed: ${allowed.join(', ')})`,
    );
  }
}

/**
 * werkzeug's `secure_filename`, which the seed applied to uploaded report names: ASCII only, separators and
 * whitespace runs become `_`, anything but letters, digits, `_`, `.` and `-` is dropped, and leading or trailing
 * dots and underscores are stripped. `My Report (1).html` → `My_Report_1.html`; `../../..` → ''.
 */
export function secureFilename(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[^\x00-\x7f]/g, '')
    .replace(/\//g, ' ');
  const joined = ascii
    .split(/[\s\x1c-\x1f\x85]+/)
    .filter((part) => part !== '')
    .join('_');
  return joined.replace(/[^A-Za-z0-9_.-]/g, '').replace(/^[._]+|[._]+$/g, '');
}

// Hub user names given to the roster (students who may not have logged in yet).

/**
 * A name the Hub can have: a safe path component with no spaces, in lower case (JupyterHub lower-cases the names
 * people log in with, so a name with capitals could never log in).
 */
export function assertHubUserName(name: unknown): asserts name is string {
  if (typeof name !== 'string') throw new InvalidUserNameError('a user name must be a string');
  assertSafeUserName(name);
  if (/\s/.test(name)) throw new InvalidUserNameError(`not a Hub user name (it has a space): ${JSON.stringify(name.slice(0, 64))}`);
  if (name !== name.toLowerCase()) {
    throw new InvalidUserNameError(`not a Hub user name (JupyterHub keeps names in lower case): ${JSON.stringify(name.slice(0, 64))}`);
  }
}

// The folder of each home a course's work lives in: one plain component (never a path that could leave the home
// through a symlinked parent), `{course}` standing for the course's id.

export function assertCaptureFolder(folder: unknown): asserts folder is string {
  const bad =
    typeof folder !== 'string' ||
    folder.length === 0 ||
    folder.length > 255 ||
    folder.startsWith('.') ||
    /[/\\\0]/.test(folder) ||
    /[\u0000-\u001f\u007f]/.test(folder);
  if (bad) throw new InvalidInputError('a capture folder is one folder name in the home (no /, not hidden), such as {course} or ml-200');
}

// Course ids: they key the catalog's rows and appear in URLs and group names.

export const COURSE_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export function assertCourseId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !COURSE_ID.test(id)) {
    throw new InvalidInputError('a course id is 1 to 63 lower-case letters, digits, - or _, starting with a letter or digit');
  }
}
