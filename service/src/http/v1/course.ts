/** The course-wide API: the caller, the students, download links, the audit log and the store check. */
import type { Catalog } from '../../catalog/catalog';
import type { BlobStore } from '../../blobs/blob-store';
import { permissionsOf } from '../../access/policy';
import { readAudit } from '../../audit/audit';
import type { Config } from '../../config';
import type { Courses } from '../../courses/courses';
import type { CourseSpaces } from '../../courses/spaces';
import { homeExists, homePath } from '../../homes/home-path';
import { checkStore, type CheckReport, parseHashSelection } from '../../integrity/check';
import { type DownloadLinks, withoutLinkParameter } from '../download-links';
import { ApiError } from '../errors';
import { jsonBody } from '../json-body';
import { parsePage, sendPage } from '../pagination';
import type { AddRoute } from '../state';

export interface CourseRouteDeps {
  config: Config;
  catalog: Catalog;
  blobs: BlobStore;
  courses: Courses;
  spaces: CourseSpaces;
  links: DownloadLinks;
}

export function addCourseRoutes(add: AddRoute, deps: CourseRouteDeps): void {
  const { config } = deps;
  add('get', 'getMe', '/api/v1/me', async (ctx) => {
    const caller = ctx.state.caller!;
    const { name, kind, admin, groups } = caller.identity;
    const courses = await deps.courses.coursesOf(caller.identity);
    ctx.body = {
      name,
      kind,
      admin,
      groups,
      // In the default course (the one the unscoped routes serve), as `permissions`.
      roles: caller.roles,
      permissions: permissionsOf(caller, config.allowStudentSnapshots),
      course: { id: config.course.id, title: config.course.title },
      courseAdmin: caller.courseAdmin,
      courses: courses.map(({ course, roles }) => ({
        id: course.id,
        title: course.title,
        roles,
        default: course.id === deps.courses.defaultId,
      })),
    };
  });

  add('get', 'listStudents', '/api/v1/students', async (ctx) => {
    const page = parsePage(ctx.query, config.pagination);
    const { roster, snapshots } = deps.spaces.of(ctx.state.course!);
    const names = await roster.studentNames();
    const slice = names.slice(page.offset, page.offset + page.limit);
    const latest = await snapshots.latestTakenAt(slice);
    const students = await Promise.all(
      slice.map(async (name) => ({
        name,
        homeExists: await homeExists(homePath(config.homeTemplate, name)),
        latestSnapshotAt: latest.get(name) ?? null,
      })),
    );
    sendPage(ctx, students, names.length, page);
  });

  const linkBody = jsonBody('8kb');
  add('post', 'createDownloadLink', '/api/v1/download-links', linkBody, (ctx) => {
    const given = (ctx.request.body as { path?: unknown } | undefined)?.path;
    if (typeof given !== 'string' || !given.startsWith('api/v1/') || given.length > 4000 || /[\s#]/.test(given)) {
      throw new ApiError(400, 'path must be a download path of this API, e.g. api/v1/snapshots/<name>/zip');
    }
    const target = withoutLinkParameter(config.hub.servicePrefix + given);
    const { id, expiresAt } = deps.links.create(ctx.state.caller!, target);
    ctx.status = 201;
    ctx.body = { url: `${target}${target.includes('?') ? '&' : '?'}link=${id}`, expiresAt };
  });

  add('get', 'getAudit', '/api/v1/audit', async (ctx) => {
    const page = parsePage(ctx.query, config.pagination);
    const text = (name: string) =>
      typeof ctx.query[name] === 'string' && ctx.query[name] !== '' ? (ctx.query[name] as string) : undefined;
    const { items, total } = await readAudit(deps.catalog, ctx.state.course!.id, page, {
      action: text('action'),
      actor: text('actor'),
      target: text('target'),
    });
    sendPage(ctx, items, total, page);
  });

  // One check at a time: a second request while one runs is told so rather than doubling the reads.
  let checking: Promise<CheckReport> | undefined;
  add('post', 'checkStore', '/api/v1/check', jsonBody('8kb'), async (ctx) => {
    const body = (ctx.request.body ?? {}) as { readDataSubset?: unknown; repair?: unknown };
    const subset = body.readDataSubset ?? '0%';
    const hash = typeof subset === 'string' ? parseHashSelection(subset) : undefined;
    if (!hash) throw new ApiError(400, 'readDataSubset must be all, none, a share such as 10% or a slice such as 1/5');
    if (body.repair !== undefined && typeof body.repair !== 'boolean') throw new ApiError(400, 'repair must be true or false');
    if (checking) throw new ApiError(409, 'A check of the store is already running; try again when it has finished');
    checking = checkStore(deps.catalog, deps.blobs, { hash, repair: body.repair ?? true, homeTemplate: config.homeTemplate });
    try {
      ctx.body = await checking;
    } finally {
      checking = undefined;
    }
  });
}
