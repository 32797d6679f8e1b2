/**
 * The seed API (UBC's jupyter-canvas-api), served under the service prefix with its contract, so that instructors'
 * existing scripts keep working: POST-only endpoints with form fields (urlencoded or multipart), the `X-Api-Key`
 * header, `{"error","message","status"}` errors, bare JSON strings and arrays on success, its names and download
 * names.
 *
 * Without its flaws: every field is validated (no path traversal, no hang on a `/` in an id), files come from
 * snapshots and never from following a student's symlink, zips stream, types are real MIME types, and messages
 * never name a server path. `X-Api-Key` takes a JupyterHub token with instructor rights, or the key configured in
 * COURSEWORK_COMPAT_API_KEY (compared in constant time).
 */
import path from 'node:path';
import type { Middleware, ParameterizedContext } from 'koa';
import { koaBody } from 'koa-body';
import { recordAuditSoon } from '../../audit/audit';
import { assertSafeUserName, extensionOf, InvalidNameError, isFullSnapshotName, secureFilename, snapshotBaseName } from '../../names';
import { cleaningUploads, formBody, readUpload, uploadedFiles } from '../uploads';
import { homeExists, homePath } from '../../homes/home-path';
import { courseZipEntries, manifestZipEntries } from '../../snapshots/zip';
import { sendBlob, sendZip } from '../download';
import type { FeedbackRouteDeps } from '../v1/feedback';
import type { SnapshotRouteDeps } from '../v1/snapshots';
import type { AddRoute, AppState } from '../state';

type Ctx = ParameterizedContext<AppState>;

/** The seed wrote reports into the home's root; they are also recorded as feedback of this assignment. */
export const COMPAT_REPORTS_ASSIGNMENT = 'reports';
/** The seed's allow-list for reports written into homes. */
const REPORT_EXTENSIONS = ['.htm', '.html', '.ipynb', '.txt'];

/** Errors exactly as the seed's Flask `jsonify` wrote them: sorted keys, compact, a trailing newline. */
export function seedError(ctx: Ctx, status: number, error: string, message: string): void {
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = `${JSON.stringify({ error, message, status })}\n`;
}

function seedJson(ctx: Ctx, value: unknown): void {
  ctx.status = 200;
  ctx.type = 'application/json';
  ctx.body = `${JSON.stringify(value)}\n`;
}

export function seedUnauthorized(ctx: Ctx): void {
  seedError(ctx, 401, 'Not Authorized', 'You are Not authorized to access the URL requested.');
}

/** A form field as the seed read it (`request.form`): the first value, absent when empty. */
function field(ctx: Ctx, name: string): string | undefined {
  const body = ctx.request.body as Record<string, unknown> | undefined;
  const value = body?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first !== '' ? first : undefined;
}

function missing(ctx: Ctx, what: string): void {
  seedError(ctx, 406, 'Not Acceptable - Missing Data', `Not Acceptable - Missing ${what} Post Value.`);
}

const notFound = {
  directory: (ctx: Ctx) =>
    seedError(ctx, 404, 'Not Found - Snapshot Directory was Not Found', 'Not Found - Student Snapshot Directory Not Found.'),
  noSnapshots: (ctx: Ctx) => seedError(ctx, 404, 'Not Found - No Snapshots Found', 'Not Found - No Snapshot Directories Found.'),
  snapshot: (ctx: Ctx) => seedError(ctx, 404, 'Not Found - Snapshot was Not Found', 'Not Found - Snapshot Not Found.'),
  file: (ctx: Ctx) => seedError(ctx, 404, 'Not Found - Snapshot File was Not Found', 'Not Found - Snapshot File Not Found.'),
  home: (ctx: Ctx) =>
    seedError(ctx, 404, 'Not Found - Student Directory Not Found', 'Not Found - STUDENT_ID Home Directory was Not Found.'),
};

function safeStudent(id: string): boolean {
  try {
    assertSafeUserName(id);
    return true;
  } catch {
    return false;
  }
}

export function addCompatRoutes(add: AddRoute, deps: SnapshotRouteDeps & FeedbackRouteDeps): void {
  const { config, blobs } = deps;
  const now = deps.now ?? (() => new Date());
  // The seed's API serves the default course (its routes name none).
  const space = (ctx: Ctx) => deps.spaces.of(ctx.state.course!);
  const form = koaBody({
    json: false,
    urlencoded: true,
    multipart: true,
    formLimit: '1mb',
    formidable: { maxFileSize: 2 * 1024 * 1024, maxFiles: 1 },
  }) as unknown as Middleware<AppState>;
  const actor = (ctx: Ctx) => ctx.state.caller!.identity.name;
  const downloaded = (ctx: Ctx, target: string) =>
    recordAuditSoon(deps.catalog, { courseId: ctx.state.course!.id, actor: actor(ctx), action: 'snapshot.downloaded', target });

  /** The student's live snapshot, or the seed's 404 already sent. */
  async function liveSnapshot(ctx: Ctx, student: string, name: string) {
    if (!safeStudent(student) || (await space(ctx).snapshots.listForStudent(student, 0, 1)).total === 0) {
      notFound.directory(ctx);
      return undefined;
    }
    const lookup = isFullSnapshotName(name) ? await space(ctx).snapshots.find(student, name) : { found: 'none' as const };
    if (lookup.found !== 'live') {
      notFound.snapshot(ctx);
      return undefined;
    }
    return lookup;
  }

  add('post', 'compatSnapshotList', '/get_snapshot_list', form, async (ctx) => {
    const student = field(ctx, 'STUDENT_ID');
    if (!student) return missing(ctx, 'StudentID');
    if (!safeStudent(student)) return notFound.directory(ctx);
    const { items, total } = await space(ctx).snapshots.listForStudent(student, 0, 100000);
    if (total === 0) return notFound.directory(ctx);
    seedJson(
      ctx,
      items.map((s) => s.name),
    );
  });

  add('post', 'compatSnapshotFileList', '/get_snapshot_file_list', form, async (ctx) => {
    const student = field(ctx, 'STUDENT_ID');
    const name = field(ctx, 'SNAPSHOT_NAME');
    if (!student) return missing(ctx, 'StudentID');
    if (!name) return missing(ctx, 'SNAPSHOT_NAME');
    const snapshot = await liveSnapshot(ctx, student, name);
    if (!snapshot) return;
    const files = snapshot.manifest.filter((e) => e.type === 'file').map((e) => e.path);
    if (files.length === 0) return notFound.noSnapshots(ctx);
    seedJson(ctx, files);
  });

  add('post', 'compatSnapshotFile', '/get_snapshot_file', form, async (ctx) => {
    const student = field(ctx, 'STUDENT_ID');
    const name = field(ctx, 'SNAPSHOT_NAME');
    const fileName = field(ctx, 'SNAPSHOT_FILENAME');
    if (!student) return missing(ctx, 'STUDENT_ID');
    if (!name) return missing(ctx, 'SNAPSHOT_NAME');
    if (!fileName) return missing(ctx, 'SNAPSHOT_FILENAME');
    const snapshot = await liveSnapshot(ctx, student, name);
    if (!snapshot) return;
    // Looked up in the manifest, never on disk: `..` and absolute paths match nothing.
    const entry = snapshot.manifest.find((e) => e.path === fileName && e.type === 'file');
    if (!entry?.sha256) return notFound.file(ctx);
    await sendBlob(ctx, blobs, entry.sha256, fileName.split('/').pop()!);
    downloaded(ctx, `${student}/${name}/${fileName}`);
  });

  add('post', 'compatSnapshotZip', '/get_snapshot_zip', form, async (ctx) => {
    const name = field(ctx, 'SNAPSHOT_NAME');
    const student = field(ctx, 'STUDENT_ID');
    if (!name) return missing(ctx, 'SNAPSHOT_NAME');
    if (student) {
      const snapshot = await liveSnapshot(ctx, student, name);
      if (!snapshot) return;
      await sendZip(ctx, manifestZipEntries(blobs, snapshot.manifest, `${student}/${name}`), `${student}_${name}.zip`);
      downloaded(ctx, `${student}/${name}.zip`);
      return;
    }
    // The whole course: one folder per student, as the seed laid it out.
    const { snapshots } = space(ctx);
    if (!isFullSnapshotName(name) || (await snapshots.studentsWithSnapshot(name)).length === 0) return notFound.snapshot(ctx);
    await sendZip(ctx, courseZipEntries(blobs, snapshots.manifestsByName(name)), `${name}.zip`);
    downloaded(ctx, `${name}.zip`);
  });

  /** The seed's name rules; refuses (406) what would otherwise become a bare `_<date>`. */
  function snapshotName(ctx: Ctx, given: string): { baseName: string; name: string } | undefined {
    try {
      const baseName = snapshotBaseName(given);
      return { baseName, name: space(ctx).jobs.nameFor(baseName, now()) };
    } catch (error) {
      if (!(error instanceof InvalidNameError)) throw error;
      seedError(ctx, 406, 'Not Acceptable - Invalid Data', `Not Acceptable - Invalid SNAPSHOT_NAME Post Value: ${error.message}.`);
      return undefined;
    }
  }

  const includeHidden = (ctx: Ctx) => (field(ctx, 'INCLUDE_HIDDEN') ?? '').toLowerCase() === 'true';

  add('post', 'compatSnapshot', '/snapshot', form, async (ctx) => {
    const student = field(ctx, 'STUDENT_ID');
    const given = field(ctx, 'SNAPSHOT_NAME');
    if (!student) return missing(ctx, 'STUDENT_ID');
    if (!given) return missing(ctx, 'SNAPSHOT_NAME');
    if (
      !safeStudent(student) ||
      !(await space(ctx).roster.includes(student)) ||
      !(await homeExists(homePath(config.homeTemplate, student)))
    ) {
      return notFound.home(ctx);
    }
    const everyone = await space(ctx).roster.current();
    const named = snapshotName(ctx, given);
    if (!named) return;
    const { job } = await space(ctx).jobs.request(
      { ...named, includeHidden: includeHidden(ctx), students: [student] },
      everyone,
      actor(ctx),
    );
    await space(ctx).jobs.settled(job.id);
    const outcome = (await space(ctx).jobs.get(job.id))!.students[student]!;
    if (outcome.status === 'exists') {
      return seedError(ctx, 404, 'Already Exists - Snapshot Name Already Exists', 'Already Exists - Student Snapshot Already Exists.');
    }
    if (outcome.status !== 'taken') {
      return seedError(
        ctx,
        500,
        'Internal Server Error - Snapshot Failed',
        `Internal Server Error - Snapshot Failed: ${outcome.error ?? outcome.status}.`,
      );
    }
    seedJson(ctx, `Success - Snapshot Created - ${named.name} for Student: ${student}`);
  });

  add('post', 'compatSnapshotAll', '/snapshot_all', form, async (ctx) => {
    // The seed README's own examples send STUDENT_NAME; both are accepted.
    const given = field(ctx, 'SNAPSHOT_NAME') ?? field(ctx, 'STUDENT_NAME');
    if (!given) return missing(ctx, 'SNAPSHOT_NAME');
    const named = snapshotName(ctx, given);
    if (!named) return;
    const everyone = await space(ctx).roster.current();
    const taken = new Set(await space(ctx).snapshots.studentsWithSnapshot(named.name));
    const first = everyone.find((student) => taken.has(student));
    if (first) {
      return seedError(
        ctx,
        404,
        'Already Exists - Snapshot Name Already Exists',
        `Already Exists - Student (${first}) Snapshot Already Exists.`,
      );
    }
    const { job } = await space(ctx).jobs.request(
      { ...named, includeHidden: includeHidden(ctx), students: everyone },
      everyone,
      actor(ctx),
    );
    seedJson(ctx, `Success - Snapshot Created - ${named.name} for All Students (being taken in the background: job ${job.id})`);
  });

  const reportForm = formBody(path.join(config.dataDir, 'uploads'), {
    maxFileBytes: config.feedback.maxFileBytes,
    maxTotalBytes: config.feedback.maxFileBytes,
    maxFiles: 1,
  });

  add(
    'post',
    'compatPutStudentReport',
    '/put_student_report',
    reportForm,
    cleaningUploads(async (ctx) => {
      const student = field(ctx, 'STUDENT_ID');
      if (!student) return missing(ctx, 'STUDENT_ID');
      const upload = uploadedFiles(ctx).find((file) => file.field === 'UPLOAD_FILE');
      if (!upload || upload.name === '') {
        return seedError(ctx, 406, 'Not Acceptable - Missing Data', 'Not Acceptable - Missing File Upload Post Data.');
      }
      const name = secureFilename(upload.name);
      if (name === '') return seedError(ctx, 406, 'Not Acceptable - Missing Data', 'Not Acceptable - Missing File Name Value.');
      const home = safeStudent(student) ? homePath(config.homeTemplate, student) : undefined;
      if (!home || !(await space(ctx).roster.includes(student)) || !(await homeExists(home))) return notFound.home(ctx);
      if (!REPORT_EXTENSIONS.includes(extensionOf(name))) {
        return seedError(
          ctx,
          417,
          'Expectation Failed - Invalid Uploaded File Type',
          `Expectation Failed - Invalid Uploaded File Type. Allowed types: ${REPORT_EXTENSIONS.map((e) => e.slice(1)).join(', ')}.`,
        );
      }
      const result = await space(ctx).feedback.writeIntoHomeAndRecord(
        student,
        home,
        COMPAT_REPORTS_ASSIGNMENT,
        name,
        await readUpload(upload),
        {
          by: actor(ctx),
          at: now(),
        },
      );
      if (result.status === 'exists' || result.status === 'unchanged') {
        return seedError(
          ctx,
          417,
          'Expectation Failed - Uploaded File Already Exists',
          `Expectation Failed - Uploaded File Already Exists within the Student's Home Directory: ${name}`,
        );
      }
      if (result.status !== 'written') {
        return seedError(
          ctx,
          417,
          'Expectation Failed - Upload Refused',
          `Expectation Failed - Upload Refused: ${result.reason ?? result.status}.`,
        );
      }
      seedJson(ctx, `Success - File Uploaded - ${name}`);
    }),
  );
}
