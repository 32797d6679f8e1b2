/** The snapshot API (`api/v1/snapshots`, `api/v1/jobs`, `api/v1/students/{student}/snapshots/...`). */
import { jobEnded } from '@coursework/client';
import { recordAuditSoon } from '../../audit/audit';
import type { BlobStore } from '../../blobs/blob-store';
import type { Catalog } from '../../catalog/catalog';
import type { Config } from '../../config';
import { assertSafeUserName, isFullSnapshotName, snapshotBaseName } from '../../names';
import type { CourseSpaces } from '../../courses/spaces';
import type { Lookup } from '../../snapshots/queries';
import { courseZipEntries, manifestZipEntries } from '../../snapshots/zip';
import { sendBlob, sendZip } from '../download';
import { ApiError } from '../errors';
import { jsonBody } from '../json-body';
import { parsePage, sendPage } from '../pagination';
import type { AddRoute, AppState } from '../state';
import type { ParameterizedContext } from 'koa';
import { BusyError, PerCallerLimit } from '../../util/busy';
import { naming } from '../../util/invalid-input';

export interface SnapshotRouteDeps {
  config: Config;
  catalog: Catalog;
  blobs: BlobStore;
  spaces: CourseSpaces;
  now?: () => Date;
}

const MAX_STUDENTS_PER_REQUEST = 10000;

function studentParam(value: string | undefined): string {
  naming('Bad student name', () => assertSafeUserName(value ?? ''));
  return value!;
}

function snapshotParam(value: string | undefined): string {
  if (!value || !isFullSnapshotName(value)) {
    throw new ApiError(400, 'Bad snapshot name: expected a name such as assignment-1_2026-11-23');
  }
  return value;
}

/** The longest a client may ask `GET api/v1/jobs/{job}` to wait for the job to finish. */
export const MAX_JOB_WAIT_SECONDS = 60;

/** `?wait=` of a job read: whole seconds, 0 (answer at once) when absent. */
function waitSeconds(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'string' || !/^\d{1,3}$/.test(value) || Number(value) > MAX_JOB_WAIT_SECONDS) {
    throw new ApiError(400, `wait must be a whole number of seconds from 0 to ${MAX_JOB_WAIT_SECONDS}`);
  }
  return Number(value);
}

function requireLive(lookup: Lookup, student: string, name: string): Extract<Lookup, { found: 'live' }> {
  if (lookup.found === 'live') return lookup;
  if (lookup.found === 'deleted') throw new ApiError(410, `Snapshot ${name} of ${student} was deleted on ${lookup.deletedAt}`);
  throw new ApiError(404, `No snapshot ${name} for ${student}`);
}

/** Validates `POST api/v1/snapshots` bodies. */
function parseSnapshotRequest(body: unknown): { baseName: string; students?: string[]; includeHidden?: boolean } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'Expected a JSON object');
  const { name, students, includeHidden } = body as Record<string, unknown>;
  const baseName = naming('Bad name', () => snapshotBaseName(name));
  if (includeHidden !== undefined && typeof includeHidden !== 'boolean') throw new ApiError(400, 'includeHidden must be true or false');
  if (students === undefined) return { baseName, includeHidden };
  if (!Array.isArray(students) || students.length === 0 || students.length > MAX_STUDENTS_PER_REQUEST) {
    throw new ApiError(400, `students must be a non-empty list of at most ${MAX_STUDENTS_PER_REQUEST} names`);
  }
  for (const student of students) {
    if (typeof student !== 'string') throw new ApiError(400, 'students must be a list of names');
    studentParam(student);
  }
  return { baseName, students: students as string[], includeHidden };
}

export function addSnapshotRoutes(add: AddRoute, deps: SnapshotRouteDeps): void {
  const { config, blobs } = deps;
  const prefix = config.hub.servicePrefix;
  const now = deps.now ?? (() => new Date());
  const json = jsonBody('1mb');
  /** The parts of the course the request is about. */
  const space = (ctx: ParameterizedContext<AppState>) => deps.spaces.of(ctx.state.course!);
  // Written after the answer starts, never in its way: a catalog that cannot write must not fail downloads.
  const audit = (ctx: ParameterizedContext<AppState>, action: 'snapshot.downloaded', target: string) =>
    recordAuditSoon(deps.catalog, { courseId: ctx.state.course!.id, actor: ctx.state.caller!.identity.name, action, target });

  add('post', 'createSnapshots', '/api/v1/snapshots', json, async (ctx) => {
    const request = parseSnapshotRequest(ctx.request.body);
    const { jobs, roster } = space(ctx);
    const everyone = await roster.current();
    const name = jobs.nameFor(request.baseName, now());
    const { job, joined } = await jobs.request(
      {
        name,
        baseName: request.baseName,
        includeHidden: request.includeHidden ?? jobs.includeHiddenByDefault,
        students: request.students ?? everyone,
      },
      everyone,
      ctx.state.caller!.identity.name,
      // A snapshot of everyone is the expensive kind: a caller may have only so many running.
      { perCaller: request.students === undefined },
    );
    ctx.status = 202;
    const scope = ctx.params.course ? `courses/${ctx.state.course!.id}/` : '';
    ctx.set('Location', `${prefix}api/v1/${scope}jobs/${job.id}`);
    ctx.body = { job, joined };
  });

  add('get', 'getJob', '/api/v1/jobs/:job', async (ctx) => {
    const wait = waitSeconds(ctx.query.wait);
    const { jobs } = space(ctx);
    const id = /^[0-9a-f-]{36}$/.test(ctx.params.job ?? '') ? ctx.params.job! : null;
    let job = id ? await jobs.get(id) : undefined;
    if (!job) throw new ApiError(404, 'No such job');
    if (!jobEnded(job) && wait > 0) {
      await jobs.settledWithin(job.id, wait * 1000);
      job = (await jobs.get(job.id))!;
    }
    ctx.body = job;
  });

  add('get', 'listSnapshots', '/api/v1/snapshots', async (ctx) => {
    const page = parsePage(ctx.query, config.pagination);
    const { items, total } = await space(ctx).snapshots.listAll(page.offset, page.limit);
    sendPage(ctx, items, total, page);
  });

  add('get', 'listStudentSnapshots', '/api/v1/students/:student/snapshots', async (ctx) => {
    const student = studentParam(ctx.params.student);
    const page = parsePage(ctx.query, config.pagination);
    const { items, total } = await space(ctx).snapshots.listForStudent(student, page.offset, page.limit);
    sendPage(ctx, items, total, page);
  });

  add('get', 'getStudentSnapshot', '/api/v1/students/:student/snapshots/:snapshot', async (ctx) => {
    const student = studentParam(ctx.params.student);
    const name = snapshotParam(ctx.params.snapshot);
    ctx.body = requireLive(await space(ctx).snapshots.find(student, name), student, name).detail;
  });

  add('delete', 'deleteStudentSnapshot', '/api/v1/students/:student/snapshots/:snapshot', async (ctx) => {
    const student = studentParam(ctx.params.student);
    const name = snapshotParam(ctx.params.snapshot);
    requireLive(await space(ctx).snapshots.find(student, name), student, name);
    if (!(await space(ctx).snapshots.delete(student, name, ctx.state.caller!.identity.name)))
      throw new ApiError(410, `Snapshot ${name} of ${student} was deleted`);
    ctx.status = 204;
  });

  add('get', 'listSnapshotFiles', '/api/v1/students/:student/snapshots/:snapshot/files', async (ctx) => {
    const student = studentParam(ctx.params.student);
    const name = snapshotParam(ctx.params.snapshot);
    const { manifest } = requireLive(await space(ctx).snapshots.find(student, name), student, name);
    const page = parsePage(ctx.query, config.pagination);
    sendPage(ctx, manifest.slice(page.offset, page.offset + page.limit), manifest.length, page);
  });

  add('get', 'getSnapshotFile', '/api/v1/students/:student/snapshots/:snapshot/files/*path', async (ctx) => {
    const student = studentParam(ctx.params.student);
    const name = snapshotParam(ctx.params.snapshot);
    const { manifest } = requireLive(await space(ctx).snapshots.find(student, name), student, name);
    const filePath = ctx.params.path ?? '';
    // Paths are looked up in the manifest, never on disk: `..`, absolute or encoded paths simply match nothing.
    const entry = manifest.find((e) => e.path === filePath);
    if (!entry) throw new ApiError(404, `No file ${JSON.stringify(filePath.slice(0, 200))} in snapshot ${name}`);
    if (entry.type !== 'file' || !entry.sha256) throw new ApiError(404, `${filePath} is a symlink; its target was not captured`);
    await sendBlob(ctx, blobs, entry.sha256, filePath.split('/').pop()!);
    audit(ctx, 'snapshot.downloaded', `${student}/${name}/${filePath}`);
  });

  add('get', 'getStudentSnapshotZip', '/api/v1/students/:student/snapshots/:snapshot/zip', async (ctx) => {
    const student = studentParam(ctx.params.student);
    const name = snapshotParam(ctx.params.snapshot);
    const { manifest } = requireLive(await space(ctx).snapshots.find(student, name), student, name);
    await sendZip(ctx, manifestZipEntries(blobs, manifest, ''), `${student}_${name}.zip`);
    audit(ctx, 'snapshot.downloaded', `${student}/${name}.zip`);
  });

  const courseZips = new PerCallerLimit(
    config.perCaller.courseZips,
    (max) => new BusyError(`You are downloading ${max} course zip${max === 1 ? '' : 's'} already; ask again when one has finished`, 5),
  );
  add('get', 'getSnapshotNameZip', '/api/v1/snapshots/:snapshot/zip', async (ctx) => {
    const name = snapshotParam(ctx.params.snapshot);
    let students: string[] | undefined;
    if (typeof ctx.query.students === 'string' && ctx.query.students !== '') {
      students = ctx.query.students.split(',').map((s) => studentParam(s.trim()));
    }
    const { snapshots } = space(ctx);
    if ((await snapshots.studentsWithSnapshot(name, students)).length === 0) throw new ApiError(404, `No student has a snapshot ${name}`);
    // Held until the whole zip is sent (or the client goes away).
    const release = courseZips.take(ctx.state.caller!.identity.name);
    ctx.res.once('close', release);
    await sendZip(ctx, courseZipEntries(blobs, snapshots.manifestsByName(name, students)), `${name}.zip`);
    audit(ctx, 'snapshot.downloaded', `${name}.zip`);
  });
}
