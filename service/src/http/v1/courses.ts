/** Courses and their rosters: list, create, change and delete courses; read and change who is on a roster. */
import { koaBody } from 'koa-body';
import type { Middleware } from 'koa';
import { type Caller, permissionsOf, type Role } from '../../access/policy';
import type { Config } from '../../config';
import type { CourseRecord, Courses } from '../../courses/courses';
import type { CourseSpaces } from '../../courses/spaces';
import { ApiError } from '../errors';
import { jsonBody } from '../json-body';
import type { AddRoute, AppState } from '../state';

export interface CoursesRouteDeps {
  config: Config;
  courses: Courses;
  spaces: CourseSpaces;
}

/** A course as the API shows it, with the caller's roles in it and the operations those roles allow there. */
export function courseView(course: CourseRecord, roles: Role[], caller: Caller, deps: CoursesRouteDeps) {
  return {
    id: course.id,
    title: course.title,
    timeZone: course.timeZone ?? deps.config.snapshots.timeZone,
    groups: course.groups,
    // What each snapshot of the course takes, the service's defaults filled in.
    capture: {
      folder: course.capture.folder?.replaceAll('{course}', course.id) ?? null,
      exclude: course.capture.exclude ?? deps.config.snapshots.exclude,
      includeHidden: course.capture.includeHidden ?? false,
    },
    default: course.id === deps.courses.defaultId,
    createdAt: course.createdAt,
    createdBy: course.createdBy,
    roles,
    permissions: permissionsOf({ ...caller, roles }, deps.config.allowStudentSnapshots),
  };
}

/** A roster in JSON, or as CSV (`user,role` per line) for a spreadsheet; up to 5 MB. */
const rosterBody = koaBody({
  json: true,
  text: true,
  urlencoded: false,
  multipart: false,
  jsonLimit: '5mb',
  textLimit: '5mb',
}) as unknown as Middleware<AppState>;

export function addCoursesRoutes(add: AddRoute, deps: CoursesRouteDeps): void {
  const { courses } = deps;

  add('get', 'listCourses', '/api/v1/courses', async (ctx) => {
    const mine = await courses.coursesOf(ctx.state.caller!.identity);
    ctx.body = mine.map(({ course, roles }) => courseView(course, roles, ctx.state.caller!, deps));
  });

  add('post', 'createCourse', '/api/v1/courses', jsonBody('64kb'), async (ctx) => {
    const caller = ctx.state.caller!;
    const course = await courses.create(ctx.request.body, caller.identity);
    deps.spaces.of(course); // its deliveries and captures start now
    ctx.status = 201;
    ctx.body = courseView(course, await courses.rolesOf(course, caller.identity), caller, deps);
  });

  add('get', 'getCourse', '/api/v1/courses/:course', (ctx) => {
    ctx.body = courseView(ctx.state.course!, ctx.state.caller!.roles, ctx.state.caller!, deps);
  });

  add('patch', 'updateCourse', '/api/v1/courses/:course', jsonBody('64kb'), async (ctx) => {
    const caller = ctx.state.caller!;
    const course = await courses.update(ctx.state.course!, ctx.request.body, caller.identity.name);
    deps.spaces.of(course); // rebuilt with the changes (time zone, groups)
    ctx.body = courseView(course, caller.roles, caller, deps);
  });

  add('delete', 'deleteCourse', '/api/v1/courses/:course', async (ctx) => {
    const confirm = typeof ctx.query.confirm === 'string' ? ctx.query.confirm : undefined;
    await courses.delete(ctx.state.course!, ctx.state.caller!.identity.name, confirm);
    deps.spaces.forget(ctx.state.course!.id);
    ctx.status = 204;
  });

  add('get', 'listRoster', '/api/v1/courses/:course/roster', async (ctx) => {
    ctx.body = await courses.roster(ctx.state.course!);
  });

  add('post', 'addRosterMembers', '/api/v1/courses/:course/roster', rosterBody, async (ctx) => {
    const body: unknown = ctx.request.body;
    let input: { csv: string } | { rows: unknown };
    if (typeof body === 'string') input = { csv: body };
    else if (body && typeof body === 'object' && 'members' in body) input = { rows: body.members };
    else
      throw new ApiError(
        400,
        'Send CSV (Content-Type: text/csv; a line per user: user[,role]) or JSON {"members": [{"user": ..., "role": ...}]}',
      );
    const results = await courses.addMembers(ctx.state.course!, input, ctx.state.caller!.identity.name);
    const count = (status: string) => results.filter((r) => r.status === status).length;
    ctx.body = {
      added: count('added'),
      updated: count('updated'),
      unchanged: count('unchanged'),
      failed: count('error'),
      rows: results,
    };
  });

  add('put', 'putRosterMember', '/api/v1/courses/:course/roster/:user', jsonBody('8kb'), async (ctx) => {
    const outcome = await courses.putMember(ctx.state.course!, ctx.params.user!, ctx.request.body, ctx.state.caller!.identity.name);
    ctx.status = outcome === 'added' ? 201 : 200;
    const entry = (await courses.roster(ctx.state.course!)).find((e) => e.user === ctx.params.user);
    ctx.body = entry;
  });

  add('delete', 'removeRosterMember', '/api/v1/courses/:course/roster/:user', async (ctx) => {
    if (!(await courses.removeMember(ctx.state.course!, ctx.params.user!, ctx.state.caller!.identity.name))) {
      throw new ApiError(
        404,
        `${ctx.params.user} is not on the roster Coursework keeps for ${ctx.state.course!.id} (members of its Hub groups are removed on the Hub)`,
      );
    }
    ctx.status = 204;
  });
}
