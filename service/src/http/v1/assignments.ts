/**
 * The assignments API: instructors manage assignments, due times and extensions and read each student's status
 * (JSON or CSV); an LMS triggers the deadline capture; students read their own due times and receipts.
 */
import type { ParameterizedContext } from 'koa';
import { recordAudit } from '../../audit/audit';
import { statusCsv } from '../../assignments/status';
import type { Catalog } from '../../catalog/catalog';
import type { Config } from '../../config';
import type { Courses } from '../../courses/courses';
import type { CourseSpaces } from '../../courses/spaces';
import { assertAssignmentId, assertSafeUserName } from '../../names';
import { contentDisposition } from '../download';
import { ApiError } from '../errors';
import { jsonBody } from '../json-body';
import type { AddRoute, AppState } from '../state';
import { naming } from '../../util/invalid-input';

export interface AssignmentRouteDeps {
  config: Config;
  catalog: Catalog;
  spaces: CourseSpaces;
  courses: Courses;
}

type Ctx = ParameterizedContext<AppState>;

/** The longest a client may ask the changes feed to wait. */
const MAX_CHANGES_WAIT_SECONDS = 30;

function idParam(ctx: Ctx): string {
  naming('Bad assignment id', () => assertAssignmentId(ctx.params.id));
  return ctx.params.id!;
}

function studentParam(ctx: Ctx): string {
  try {
    assertSafeUserName(ctx.params.student ?? '');
  } catch (error) {
    throw new ApiError(400, `Bad student name: ${(error as Error).message}`);
  }
  return ctx.params.student!;
}

export function addAssignmentRoutes(add: AddRoute, deps: AssignmentRouteDeps): void {
  const { config } = deps;
  /** The parts of the course the request is about. */
  const space = (ctx: Ctx) => deps.spaces.of(ctx.state.course!);
  const storeOf = (ctx: Ctx) => space(ctx).assignments.store;
  const schedulerOf = (ctx: Ctx) => space(ctx).assignments.scheduler;
  const json = jsonBody('64kb');
  const actor = (ctx: Ctx) => ctx.state.caller!.identity.name;
  const replan = (ctx: Ctx) => void schedulerOf(ctx).kick();

  async function existing(ctx: Ctx, id: string) {
    const assignment = await storeOf(ctx).get(id);
    if (!assignment) throw new ApiError(404, `No assignment ${id}`);
    return assignment;
  }

  add('get', 'listAssignments', '/api/v1/assignments', async (ctx) => {
    ctx.body = await storeOf(ctx).list();
  });

  add('post', 'createAssignment', '/api/v1/assignments', json, async (ctx) => {
    const created = await storeOf(ctx).create(ctx.request.body, actor(ctx));
    if (created === 'exists') throw new ApiError(409, 'An assignment with this id exists (or existed: ids are not reused)');
    replan(ctx);
    ctx.status = 201;
    const scope = ctx.params.course ? `courses/${ctx.state.course!.id}/` : '';
    ctx.set('Location', `${config.hub.servicePrefix}api/v1/${scope}assignments/${encodeURIComponent(created.id)}`);
    ctx.body = created;
  });

  add('get', 'getAssignment', '/api/v1/assignments/:id', async (ctx) => {
    ctx.body = await existing(ctx, idParam(ctx));
  });

  add('patch', 'updateAssignment', '/api/v1/assignments/:id', json, async (ctx) => {
    const updated = await storeOf(ctx).update(idParam(ctx), ctx.request.body, actor(ctx));
    if (!updated) throw new ApiError(404, `No assignment ${ctx.params.id}`);
    replan(ctx);
    ctx.body = updated;
  });

  add('delete', 'deleteAssignment', '/api/v1/assignments/:id', async (ctx) => {
    if (!(await storeOf(ctx).delete(idParam(ctx), actor(ctx)))) throw new ApiError(404, `No assignment ${ctx.params.id}`);
    ctx.status = 204;
  });

  add('put', 'grantExtension', '/api/v1/assignments/:id/extensions/:student', json, async (ctx) => {
    const id = idParam(ctx);
    const student = studentParam(ctx);
    if (!(await space(ctx).roster.includes(student))) throw new ApiError(404, `${student} is not a student of this course`);
    const body = ctx.request.body as { dueAt?: unknown } | undefined;
    const updated = await storeOf(ctx).grantExtension(id, student, body?.dueAt, actor(ctx));
    if (!updated) throw new ApiError(404, `No assignment ${id}`);
    replan(ctx);
    ctx.body = updated;
  });

  add('delete', 'revokeExtension', '/api/v1/assignments/:id/extensions/:student', async (ctx) => {
    const id = idParam(ctx);
    const student = studentParam(ctx);
    if (!(await storeOf(ctx).revokeExtension(id, student, actor(ctx)))) throw new ApiError(404, `${student} has no extension on ${id}`);
    replan(ctx);
    ctx.status = 204;
  });

  add('get', 'getAssignmentStatus', '/api/v1/assignments/:id/status', async (ctx) => {
    const assignment = await existing(ctx, idParam(ctx));
    await schedulerOf(ctx).settle();
    const students = await space(ctx).assignments.status.forAssignment(assignment, await space(ctx).roster.studentNames());
    const format = ctx.query.format ?? 'json';
    if (format === 'csv') {
      ctx.type = 'text/csv; charset=utf-8';
      ctx.set('Content-Disposition', contentDisposition(`${assignment.id}-status.csv`));
      ctx.body = statusCsv(students);
    } else if (format === 'json') {
      ctx.body = { assignment, students };
    } else {
      throw new ApiError(400, 'format must be json or csv');
    }
  });

  // The whole class at once (the class workspace): every assignment's status for every student of the roster, or
  // for some of them (`?students=a,b`: those the changes feed named).
  add('get', 'getClassStatus', '/api/v1/class', async (ctx) => {
    const { assignments, roster } = space(ctx);
    await assignments.scheduler.settle();
    const asked = typeof ctx.query.students === 'string' ? new Set(ctx.query.students.split(',')) : undefined;
    const students = (await roster.studentNames()).filter((student) => !asked || asked.has(student));
    const list = await assignments.store.list();
    const course = ctx.state.course!;
    ctx.body = {
      course: { id: course.id, title: course.title },
      assignments: list,
      students,
      // status[i][j]: student i on assignment j.
      status: await assignments.status.forClass(list, students),
    };
  });

  // What changed after a cursor, waiting up to `wait` seconds for something to (the class workspace's live view).
  add('get', 'getClassChanges', '/api/v1/changes', async (ctx) => {
    const after = ctx.query.after === undefined ? undefined : Number(ctx.query.after);
    if (after !== undefined && !(Number.isSafeInteger(after) && after >= 0))
      throw new ApiError(400, 'after must be a cursor from an earlier answer');
    const wait = ctx.query.wait === undefined ? 0 : Number(ctx.query.wait);
    if (!(Number.isInteger(wait) && wait >= 0 && wait <= MAX_CHANGES_WAIT_SECONDS)) {
      throw new ApiError(400, `wait must be a whole number of seconds from 0 to ${MAX_CHANGES_WAIT_SECONDS}`);
    }
    let closed = false;
    ctx.req.once('close', () => (closed = true));
    ctx.body = await space(ctx).assignments.changes.since(after, wait * 1000, () => closed);
  });

  // A student's history on one time axis (the class workspace's timeline).
  add('get', 'getStudentTimeline', '/api/v1/students/:student/timeline', async (ctx) => {
    const student = studentParam(ctx);
    const { assignments, roster } = space(ctx);
    if (!(await roster.includes(student))) throw new ApiError(404, `${student} is not a student of this course`);
    const course = ctx.state.course!;
    ctx.body = { ...(await assignments.timeline.of(student)), course: { id: course.id, title: course.title } };
  });

  add('post', 'triggerAssignment', '/api/v1/assignments/:id/trigger', json, async (ctx) => {
    const id = idParam(ctx);
    const body = (ctx.request.body ?? {}) as { students?: unknown };
    let students: string[] | undefined;
    if (body.students !== undefined) {
      if (!Array.isArray(body.students) || !body.students.every((s) => typeof s === 'string')) {
        throw new ApiError(400, 'students must be a list of names');
      }
      students = body.students as string[];
    }
    const result = await schedulerOf(ctx).trigger(id, students);
    if (!result) throw new ApiError(404, `No assignment ${id}`);
    await recordAudit(deps.catalog, {
      courseId: ctx.state.course!.id,
      actor: actor(ctx),
      action: 'assignment.triggered',
      target: id,
      detail: { ...result },
    });
    ctx.status = 202;
    ctx.body = result;
  });

  // Every course the caller is a student of, the default course first; each assignment says which course it is of.
  add('get', 'listMyAssignments', '/api/v1/me/assignments', async (ctx) => {
    const caller = ctx.state.caller!;
    const mine = (await deps.courses.coursesOf(caller.identity)).filter(({ roles }) => roles.includes('student'));
    mine.sort((a, b) => Number(b.course.id === deps.courses.defaultId) - Number(a.course.id === deps.courses.defaultId));
    const items = [];
    for (const { course } of mine) {
      const { assignments } = deps.spaces.of(course);
      await assignments.scheduler.settle();
      const due = await assignments.status.forStudent(actor(ctx));
      items.push(...due.map((assignment) => ({ ...assignment, course: { id: course.id, title: course.title } })));
    }
    ctx.body = items;
  });
}
