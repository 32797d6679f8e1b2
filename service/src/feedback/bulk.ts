/**
 * Bulk feedback: one zip with a folder per student, as nbgrader produces (`feedback/<student>/<assignment>/...`,
 * or simply `<student>/...`). Every entry is checked before anything is stored, and each student gets a line in
 * the report: released, unknown student, or rejected, with the reason for every file left out.
 */
import type { BulkStudentReport } from '@coursework/client';
import { extractZipEntry, readZipEntries, ZipFormatError, type ZipReadEntry } from '../archive/zip-reader';
import { assertAllowedExtension, assertFeedbackPath, assertSafeUserName, InvalidFeedbackNameError } from '../names';
import { InvalidInputError } from '../util/invalid-input';

export interface BulkLimits {
  maxEntries: number;
  maxRatio: number;
  maxTotalBytes: number;
  maxFileBytes: number;
  maxReleaseBytes: number;
  extensions: readonly string[];
}

export interface BulkPlan {
  /** Files to release, per known student; `bytes()` inflates the entry again (checked once already). */
  releases: Map<string, { path: string; bytes: () => Buffer }[]>;
  students: Record<string, BulkStudentReport>;
  rejected: { path: string; reason: string }[];
}

/** Entries this small are never called bombs, whatever their ratio (a page of blanks compresses 1000:1). */
const RATIO_FLOOR_BYTES = 64 * 1024;

export class BulkArchiveError extends InvalidInputError {
  override name = 'BulkArchiveError';
}

function student(report: Record<string, BulkStudentReport>, name: string): BulkStudentReport {
  report[name] ??= { status: 'rejected', files: [], rejected: [] };
  return report[name];
}

export function planBulkRelease(zip: Buffer, assignment: string, roster: ReadonlySet<string>, limits: BulkLimits): BulkPlan {
  let entries: ZipReadEntry[];
  try {
    entries = readZipEntries(zip, limits.maxEntries).filter((e) => !e.isDirectory);
  } catch (error) {
    if (error instanceof ZipFormatError) throw new BulkArchiveError(error.message);
    throw error;
  }
  const declared = entries.reduce((sum, e) => sum + e.size, 0);
  if (declared > limits.maxTotalBytes) {
    throw new BulkArchiveError(`the archive unpacks to ${declared} bytes; at most ${limits.maxTotalBytes} are accepted`);
  }
  // nbgrader's exchange layout puts everything under `feedback/` (unless a student is called that).
  const prefixOf = (name: string) => (name.startsWith('feedback/') && !roster.has('feedback') ? 'feedback/' : '');
  const plan: BulkPlan = { releases: new Map(), students: {}, rejected: [] };
  const releaseBytes = new Map<string, number>();

  for (const entry of entries) {
    const shown = entry.name.slice(0, 300);
    const name = entry.name.slice(prefixOf(entry.name).length);
    const segments = name.split('/');
    if (entry.name.startsWith('/') || /^[A-Za-z]:/.test(entry.name) || entry.name.includes('\\')) {
      plan.rejected.push({ path: shown, reason: 'absolute paths and backslashes are not accepted' });
      continue;
    }
    if (segments.includes('..')) {
      plan.rejected.push({ path: shown, reason: '`..` is not accepted in paths' });
      continue;
    }
    if (segments.length < 2) {
      plan.rejected.push({ path: shown, reason: 'not inside a student folder' });
      continue;
    }
    const [owner, ...rest] = segments as [string, ...string[]];
    try {
      assertSafeUserName(owner);
    } catch {
      plan.rejected.push({ path: shown, reason: 'the folder name is not a user name' });
      continue;
    }
    if (!roster.has(owner)) {
      const report = student(plan.students, owner);
      report.status = 'unknown-student';
      report.rejected.push({ path: rest.join('/'), reason: `${owner} is not a student of this course` });
      continue;
    }
    const report = student(plan.students, owner);
    // nbgrader: `<student>/<assignment>/<file>`.
    const inner = rest.length > 1 && rest[0] === assignment ? rest.slice(1) : rest;
    const path = inner.join('/');
    const reject = (reason: string) => report.rejected.push({ path: path.slice(0, 300), reason });
    if (entry.isSymlink) {
      reject('symbolic links are not accepted');
      continue;
    }
    if (entry.encrypted) {
      reject('encrypted entries are not accepted');
      continue;
    }
    try {
      assertFeedbackPath(path);
      assertAllowedExtension(path, limits.extensions);
    } catch (error) {
      if (!(error instanceof InvalidFeedbackNameError)) throw error;
      reject(error.message);
      continue;
    }
    if (entry.size > limits.maxFileBytes) {
      reject(`larger than ${limits.maxFileBytes} bytes, the limit for one feedback file`);
      continue;
    }
    if (entry.size >= RATIO_FLOOR_BYTES && entry.size > limits.maxRatio * Math.max(entry.compressedSize, 1)) {
      reject(`compressed more than ${limits.maxRatio}:1; refused as a possible zip bomb`);
      continue;
    }
    const total = (releaseBytes.get(owner) ?? 0) + entry.size;
    if (total > limits.maxReleaseBytes) {
      reject(`the student's files exceed ${limits.maxReleaseBytes} bytes, the limit for one release`);
      continue;
    }
    if (plan.releases.get(owner)?.some((f) => f.path === path)) {
      reject('the archive holds this path twice');
      continue;
    }
    try {
      // Inflated now to check it, and again when stored: memory holds one entry at a time, not the archive's.
      extractZipEntry(zip, entry);
    } catch (error) {
      if (!(error instanceof ZipFormatError)) throw error;
      reject(error.message);
      continue;
    }
    releaseBytes.set(owner, total);
    plan.releases.set(owner, [...(plan.releases.get(owner) ?? []), { path, bytes: () => extractZipEntry(zip, entry) }]);
    report.status = 'released';
    report.files.push(path);
  }
  return plan;
}
