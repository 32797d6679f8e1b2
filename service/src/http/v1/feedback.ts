/**
 * The feedback API: instructors release files to students (one file, several, or a bulk zip for the class), see
 * them with their history, move release times and withdraw; students list and download what was released to them.
 */
import path from 'node:path';
import type { ParameterizedContext } from 'koa';
import { recordAuditSoon } from '../../audit/audit';
import type { BlobStore } from '../../blobs/blob-store';
import type { Catalog } from '../../catalog/catalog';
import type { Config } from '../../config';
import { planBulkRelease } from '../../feedback/bulk';
import { assertAllowedExtension, assertAssignmentId, assertFeedbackPath, assertSafeUserName } from '../../names';
import type { CourseRecord, Courses } from '../../courses/courses';
import type { CourseSpaces } from '../../courses/spaces';
import { cleaningUploads, formBody, readBody, readUpload, uploadedFiles } from '../uploads';
import { describeFailure, InsufficientStorageError, isStorageFull } from '../../util/storage';
import { sendBlob } from '../download';
import { ApiError } from '../errors';
import { jsonBody } from '../json-body';
import type { AddRoute, AppState } from '../state';
import { naming } from '../../util/invalid-input';

export interface FeedbackRouteDeps {
  config: Config;
  catalog: Catalog;
  blobs: BlobStore;
  spaces: CourseSpaces;
  courses: Courses;
}

type Ctx = ParameterizedContext<AppState>;

/** A naming error is a 400 that says which part of the request is wrong. */
const checked = <T>(what: string, check: () => T): T => naming(`Bad ${what}`, check);

const studentParam = (ctx: Ctx) => checked('student name', () => (assertSafeUserName(ctx.params.student ?? ''), ctx.params.student!));
const assignmentParam = (ctx: Ctx) => checked('assignment', () => (assertAssignmentId(ctx.params.assignment), ctx.params.assignment!));

/** `releaseAt` (ISO 8601 with a zone) from the query or a form field; undefined = now. */
function releaseAtOf(ctx: Ctx): Date | undefined {
  const body = ctx.request.body as Record<string, unknown> | undefined;
  const given = ctx.query.releaseAt ?? body?.releaseAt;
  if (given === undefined || given === '') return undefined;
  return parseTime(given, 'releaseAt');
}

function parseTime(given: unknown, what: string): Date {
  const text = Array.isArray(given) ? given[0] : given;
  const time = typeof text === 'string' && /(?:Z|[+-]\d\d:?\d\d)$/.test(text) ? new Date(text) : undefined;
  if (!time || Number.isNaN(time.getTime())) {
    throw new ApiError(400, `${what} must be an ISO 8601 time with its zone, e.g. 2026-12-01T17:00:00Z`);
  }
  return time;
}

function deliverOf(ctx: Ctx): boolean | undefined {
  const body = ctx.request.body as Record<string, unknown> | undefined;
  const given = ctx.query.deliver ?? body?.deliver;
  if (given === undefined || given === '') return undefined;
  if (given === 'true' || given === true) return true;
  if (given === 'false' || given === false) return false;
  throw new ApiError(400, 'deliver must be true or false');
}

export function addFeedbackRoutes(add: AddRoute, deps: FeedbackRouteDeps): void {
  const { config, blobs } = deps;
  /** The feedback of the course the request is about. */
  const releasesOf = (ctx: Ctx) => deps.spaces.of(ctx.state.course!).feedback;
  const storeOf = (ctx: Ctx) => releasesOf(ctx).store;
  const limits = config.feedback;
  const uploadDir = path.join(config.dataDir, 'uploads');
  const form = formBody(uploadDir, { maxFileBytes: limits.maxFileBytes, maxTotalBytes: limits.maxReleaseBytes, maxFiles: 1000 });
  const bulkForm = formBody(uploadDir, {
    maxFileBytes: config.limits.maxUploadBytes,
    maxTotalBytes: config.limits.maxUploadBytes,
    maxFiles: 1,
  });
  const json = jsonBody('64kb');
  const actor = (ctx: Ctx) => ctx.state.caller!.identity.name;

  /** The live courses, the default course first. */
  async function coursesInOrder(): Promise<CourseRecord[]> {
    const all = await deps.courses.list();
    return [...all.filter((c) => c.id === deps.courses.defaultId), ...all.filter((c) => c.id !== deps.courses.defaultId)];
  }

  /** The course named by `?course=` (the default course without it); 404 when there is no such live course. */
  async function courseOfQuery(ctx: Ctx): Promise<CourseRecord> {
    const named = typeof ctx.query.course === 'string' && ctx.query.course !== '' ? ctx.query.course : deps.courses.defaultId;
    const course = await deps.courses.find(named);
    if (!course || course.deletedAt) throw new ApiError(404, `No course ${JSON.stringify(named.slice(0, 64))}`);
    return course;
  }

  async function enrolled(ctx: Ctx, student: string): Promise<void> {
    const { roster } = deps.spaces.of(ctx.state.course!);
    if (!(await roster.includes(student))) throw new ApiError(404, `${student} is not a student of this course`);
  }

  const checkFile = (filePath: unknown) =>
    checked('file path', () => {
      const valid = assertFeedbackPath(filePath);
      assertAllowedExtension(valid, limits.extensions);
      return valid;
    });

  // --- instructors -------------------------------------------------------------------------------------------

  add('get', 'listStudentFeedback', '/api/v1/students/:student/feedback', async (ctx) => {
    ctx.body = await storeOf(ctx).summaries(studentParam(ctx));
  });

  add('get', 'getStudentFeedback', '/api/v1/students/:student/feedback/:assignment', async (ctx) => {
    const student = studentParam(ctx);
    const assignment = assignmentParam(ctx);
    const detail = await storeOf(ctx).detail(student, assignment);
    if (!detail) throw new ApiError(404, `No feedback on ${assignment} for ${student}`);
    ctx.body = detail;
  });

  add(
    'post',
    'releaseFeedback',
    '/api/v1/students/:student/feedback/:assignment',
    form,
    cleaningUploads(async (ctx) => {
      const student = studentParam(ctx);
      const assignment = assignmentParam(ctx);
      const uploads = uploadedFiles(ctx);
      if (uploads.length === 0) throw new ApiError(400, 'Send the files as multipart/form-data, each with its path as the file name');
      const paths = uploads.map((upload) => checkFile(upload.name));
      if (new Set(paths).size !== paths.length) throw new ApiError(400, 'The same path is sent twice');
      const releaseAt = releaseAtOf(ctx);
      const deliver = deliverOf(ctx);
      await enrolled(ctx, student);
      const files = await Promise.all(uploads.map(async (upload, i) => ({ path: paths[i]!, bytes: await readUpload(upload) })));
      await releasesOf(ctx).release(student, assignment, files, { by: actor(ctx), releaseAt, deliver });
      ctx.status = 201;
      ctx.body = await storeOf(ctx).detail(student, assignment);
    }),
  );

  add(
    'put',
    'putFeedbackFile',
    '/api/v1/students/:student/feedback/:assignment/files/*path',
    async (ctx, next) => (ctx.is('multipart') ? form(ctx, next) : next()),
    cleaningUploads(async (ctx) => {
      const student = studentParam(ctx);
      const assignment = assignmentParam(ctx);
      const filePath = checkFile(ctx.params.path);
      const releaseAt = releaseAtOf(ctx);
      const deliver = deliverOf(ctx);
      await enrolled(ctx, student);
      let bytes: Buffer;
      if (ctx.is('multipart')) {
        const uploads = uploadedFiles(ctx);
        if (uploads.length !== 1) throw new ApiError(400, 'Send exactly one file');
        bytes = await readUpload(uploads[0]!);
      } else {
        bytes = await readBody(ctx.req, limits.maxFileBytes, ctx.request.length);
      }
      const [version] = await releasesOf(ctx).release(student, assignment, [{ path: filePath, bytes }], {
        by: actor(ctx),
        releaseAt,
        deliver,
      });
      ctx.status = 201;
      ctx.body = version;
    }),
  );

  add('get', 'getStudentFeedbackFile', '/api/v1/students/:student/feedback/:assignment/files/*path', async (ctx) => {
    const student = studentParam(ctx);
    const assignment = assignmentParam(ctx);
    const filePath = ctx.params.path ?? '';
    const row = await storeOf(ctx).currentFile(student, assignment, filePath);
    if (!row) throw new ApiError(404, `No feedback file ${JSON.stringify(filePath.slice(0, 200))} on ${assignment} for ${student}`);
    await sendBlob(ctx, blobs, row.sha256, filePath.split('/').pop()!);
  });

  add('patch', 'rescheduleStudentFeedback', '/api/v1/students/:student/feedback/:assignment', json, async (ctx) => {
    const student = studentParam(ctx);
    const assignment = assignmentParam(ctx);
    const releaseAt = parseTime((ctx.request.body as Record<string, unknown> | undefined)?.releaseAt, 'releaseAt');
    ctx.body = { rescheduled: await storeOf(ctx).reschedule(assignment, releaseAt, actor(ctx), student) };
    void releasesOf(ctx).delivery.kick();
  });

  add('delete', 'withdrawFeedback', '/api/v1/students/:student/feedback/:assignment', async (ctx) => {
    const student = studentParam(ctx);
    const assignment = assignmentParam(ctx);
    if ((await storeOf(ctx).withdraw(student, assignment, undefined, actor(ctx))) === 0) {
      throw new ApiError(404, `No current feedback on ${assignment} for ${student}`);
    }
    ctx.status = 204;
  });

  add('delete', 'withdrawFeedbackFile', '/api/v1/students/:student/feedback/:assignment/files/*path', async (ctx) => {
    const student = studentParam(ctx);
    const assignment = assignmentParam(ctx);
    const filePath = ctx.params.path ?? '';
    if ((await storeOf(ctx).withdraw(student, assignment, filePath, actor(ctx))) === 0) {
      throw new ApiError(404, `No current feedback file ${JSON.stringify(filePath.slice(0, 200))} on ${assignment} for ${student}`);
    }
    ctx.status = 204;
  });

  add(
    'post',
    'releaseFeedbackZip',
    '/api/v1/feedback/:assignment',
    async (ctx, next) => (ctx.is('multipart') ? bulkForm(ctx, next) : next()),
    cleaningUploads(async (ctx) => {
      const assignment = assignmentParam(ctx);
      const releaseAt = releaseAtOf(ctx);
      const deliver = deliverOf(ctx);
      let zip: Buffer;
      if (ctx.is('multipart')) {
        const uploads = uploadedFiles(ctx);
        if (uploads.length !== 1) throw new ApiError(400, 'Send one zip file');
        zip = await readUpload(uploads[0]!);
      } else {
        zip = await readBody(ctx.req, config.limits.maxUploadBytes, ctx.request.length);
      }
      const students = new Set(await deps.spaces.of(ctx.state.course!).roster.current());
      const plan = naming('Archive refused', () => planBulkRelease(zip, assignment, students, { ...limits.bulk, ...limits }));
      const at = releaseAt ?? new Date();
      const released: string[] = [];
      for (const [student, files] of plan.releases) {
        try {
          await releasesOf(ctx).release(student, assignment, files, { by: actor(ctx), releaseAt: at, deliver });
        } catch (error) {
          if (!isStorageFull(error) || released.length === 0) throw error;
          // Each student's release is whole or absent: say whose went through before the disk filled.
          throw new InsufficientStorageError(
            `Released to ${released.length} of ${plan.releases.size} students (${released.join(', ')}) before the data disk filled (${describeFailure(error)}); the others were not released`,
          );
        }
        released.push(student);
      }
      ctx.body = { assignment, releaseAt: at.toISOString(), students: plan.students, rejected: plan.rejected };
    }),
  );

  add('patch', 'rescheduleFeedback', '/api/v1/feedback/:assignment', json, async (ctx) => {
    const assignment = assignmentParam(ctx);
    const releaseAt = parseTime((ctx.request.body as Record<string, unknown> | undefined)?.releaseAt, 'releaseAt');
    ctx.body = { rescheduled: await storeOf(ctx).reschedule(assignment, releaseAt, actor(ctx)) };
    void releasesOf(ctx).delivery.kick();
  });

  // --- students ----------------------------------------------------------------------------------------------

  // Every course's: grouped by course (the default course first), each assignment saying which course it is of.
  add('get', 'listMyFeedback', '/api/v1/me/feedback', async (ctx) => {
    const items = [];
    for (const course of await coursesInOrder()) {
      const { items: mine } = await deps.spaces.of(course).feedback.store.visible(actor(ctx));
      items.push(...mine.map((item) => ({ ...item, course: { id: course.id, title: course.title } })));
    }
    ctx.body = { items };
  });

  add('get', 'getMyFeedbackFile', '/api/v1/me/feedback/:assignment/files/*path', async (ctx) => {
    const me = actor(ctx);
    const assignment = assignmentParam(ctx);
    const course = await courseOfQuery(ctx);
    const store = deps.spaces.of(course).feedback.store;
    const filePath = ctx.params.path ?? '';
    // Looked up among the caller's own released files only: no path or name reaches another student's.
    const row = await store.visibleFile(me, assignment, filePath);
    if (!row) throw new ApiError(404, `No feedback file ${JSON.stringify(filePath.slice(0, 200))} on ${assignment}`);
    await sendBlob(ctx, blobs, row.sha256, filePath.split('/').pop()!);
    // After the answer starts: a catalog that cannot write must not fail downloads (see recordAuditSoon).
    recordAuditSoon(deps.catalog, {
      courseId: course.id,
      actor: me,
      action: 'feedback.downloaded',
      target: `${me}/${assignment}/${filePath}`,
    });
  });
}
