/**
 * The assignments API: instructors manage assignments, due times and extensions and read each student's status
 * (JSON or CSV); an LMS triggers the deadline capture; students read their own due times and receipts.
 */
import type { ParameterizedContext } from 'koa';
import { recordAudit } from '../../audit/audit';
import type { AssignmentServices } from '../../assignments/services';
import { statusCsv } from '../../assignments/status';
import type { Catalog } from '../../catalog/catalog';
import type { Config } from '../../config';
import { assertAssignmentId, assertSafeUserName } from '../../names';
import type { Roster } from '../../students/roster';
import { contentDisposition } from '../download';
import { ApiError } from '../errors';
import { jsonBody } from '../json-body';
import type { AddRoute, AppState } from '../state';
import { naming } from '../../util/invalid-input';

export interface AssignmentRouteDeps {
  config: Config;
  catalog: Catalog;
  roster: Roster;
  assignments: AssignmentServices;
}

type Ctx = ParameterizedContext<AppState>;

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
  const { config, roster } = deps;
  // Looked up per request: the router is also built without services, to list its routes.
  const { store, scheduler, status } = deps.assignments;
  const json = jsonBody('64kb');
  const actor = (ctx: Ctx) => ctx.state.caller!.identity.name;
  const replan = () => void scheduler.kick();

  async function existing(id: string) {
    const assignment = await store.get(id);
    if (!assignment) throw new ApiError(404, `No assignment ${id}`);
    return assignment;
  }

  add('get', 'listAssignments', '/api/v1/assignments', async (ctx) => {
    ctx.body = await store.list();
  });

  add('post', 'createAssignment', '/api/v1/assignments', json, async (ctx) => {
    const created = await store.create(ctx.request.body, actor(ctx));
    if (created === 'exists') throw new ApiError(409, 'An assignment with this id exists (or existed: ids are not reused)');
    replan();
    ctx.status = 201;
    ctx.set('Location', `${config.hub.servicePrefix}api/v1/assignments/${encodeURIComponent(created.id)}`);
    ctx.body = created;
  });

  add('get', 'getAssignment', '/api/v1/assignments/:id', async (ctx) => {
    ctx.body = await existing(idParam(ctx));
  });

  add('patch', 'updateAssignment', '/api/v1/assignments/:id', json, async (ctx) => {
    const updated = await store.update(idParam(ctx), ctx.request.body, actor(ctx));
    if (!updated) throw new ApiError(404, `No assignment ${ctx.params.id}`);
    replan();
    ctx.body = updated;
  });

  add('delete', 'deleteAssignment', '/api/v1/assignments/:id', async (ctx) => {
    if (!(await store.delete(idParam(ctx), actor(ctx)))) throw new ApiError(404, `No assignment ${ctx.params.id}`);
    ctx.status = 204;
  });

  add('put', 'grantExtension', '/api/v1/assignments/:id/extensions/:student', json, async (ctx) => {
    const id = idParam(ctx);
    const student = studentParam(ctx);
    if (!(await roster.includes(student))) throw new ApiError(404, `${student} is not a student of this course`);
    const body = ctx.request.body as { dueAt?: unknown } | undefined;
    const updated = await store.grantExtension(id, student, body?.dueAt, actor(ctx));
    if (!updated) throw new ApiError(404, `No assignment ${id}`);
    replan();
    ctx.body = updated;
  });

  add('delete', 'revokeExtension', '/api/v1/assignments/:id/extensions/:student', async (ctx) => {
    const id = idParam(ctx);
    const student = studentParam(ctx);
    if (!(await store.revokeExtension(id, student, actor(ctx)))) throw new ApiError(404, `${student} has no extension on ${id}`);
    replan();
    ctx.status = 204;
  });

  add('get', 'getAssignmentStatus', '/api/v1/assignments/:id/status', async (ctx) => {
    const assignment = await existing(idParam(ctx));
    await scheduler.settle();
    const students = await status.forAssignment(assignment, await roster.studentNames());
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
    const result = await scheduler.trigger(id, students);
    if (!result) throw new ApiError(404, `No assignment ${id}`);
    await recordAudit(deps.catalog, {
      courseId: config.course.id,
      actor: actor(ctx),
      action: 'assignment.triggered',
      target: id,
      detail: { ...result },
    });
    ctx.status = 202;
    ctx.body = result;
  });

  add('get', 'listMyAssignments', '/api/v1/me/assignments', async (ctx) => {
    await scheduler.settle();
    ctx.body = await status.forStudent(actor(ctx));
  });
}
