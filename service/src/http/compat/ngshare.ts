/**
 * nbgrader's exchange as ngshare serves it (its REST API, which ngshare_exchange speaks), under `ngshare/` of the
 * service: `configureExchange(c, "<service URL>ngshare")` in nbgrader's config switches a course over. Form-encoded
 * requests, `{success, message?, ...}` answers, file trees as JSON lists of `{path, content}` in base64.
 *
 * Authenticated like every other request (the Hub token, through the identity cache) and decided by the policy
 * table; the routes parse, call one function of the exchange (exchange/exchange.ts) and answer.
 */
import type { Middleware, ParameterizedContext } from 'koa';
import { decide } from '../../access/policy';
import type { Config } from '../../config';
import type { Exchange } from '../../exchange/exchange';
import type { Profile } from '../../exchange/profiles';
import { formFields } from '../../exchange/form';
import { answerBytes, decodeFiles, listOnly, parseWireTimestamp, type WireFile } from '../../exchange/wire';
import { assertAssignmentId } from '../../names';
import { InvalidInputError, naming } from '../../util/invalid-input';
import type { Refusal } from '../auth';
import { ApiError } from '../errors';
import { readBody } from '../uploads';
import type { AddRoute, AppState } from '../state';

type Ctx = ParameterizedContext<AppState>;

export interface NgshareRouteDeps {
  config: Config;
  exchange: Exchange;
}

/** Where the API lives under the service prefix. */
export const NGSHARE_BASE = '/ngshare';

/** The guard's refusals as ngshare words them (nbgrader logs the message). */
export function ngshareRefusal(ctx: Ctx, why: Refusal): void {
  const [status, message] =
    why === 'no-course'
      ? [404, 'Course not found']
      : why === 'unauthenticated'
        ? [401, 'Permission denied (no valid JupyterHub token: send "Authorization: token <JUPYTERHUB_API_TOKEN>")']
        : why === 'no-access'
          ? [403, 'Permission denied (this token does not grant access to the Coursework service)']
          : [403, 'Permission denied'];
  ctx.status = status;
  ctx.body = { success: false, message };
}

function ok(ctx: Ctx, body: Record<string, unknown> = {}): void {
  const answer = { success: true, ...body };
  const files = body.files as WireFile[] | undefined;
  if (!files?.some((file) => file.content !== undefined)) {
    ctx.body = answer;
    return;
  }
  ctx.body = answerBytes(answer);
  ctx.type = 'application/json; charset=utf-8';
}

/** A form field (or query parameter, for GETs): its first value, as text. */
function field(ctx: Ctx, name: string): string | undefined {
  if (ctx.method !== 'GET') return ctx.state.form?.get(name)?.toString('utf8');
  const value = ctx.query[name];
  return Array.isArray(value) ? value[0] : value;
}

function jsonField(ctx: Ctx, name: string, undecodable: string): unknown {
  const text = field(ctx, name);
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidInputError(undecodable);
  }
}

const PROFILE_FIELDS = [
  ['first_name', 'first name'],
  ['last_name', 'last name'],
  ['email', 'email'],
] as const;

/** The three profile fields ngshare requires (each may be empty). */
function profileOf(ctx: Ctx): Profile {
  const profile: Record<string, string> = {};
  for (const [name, words] of PROFILE_FIELDS) {
    const value = field(ctx, name);
    if (typeof value !== 'string') throw new InvalidInputError(`Please supply ${words}`);
    if (value.length > 500) throw new InvalidInputError(`The ${words} is longer than 500 characters`);
    profile[name] = value;
  }
  return profile as unknown as Profile;
}

function assignmentOf(ctx: Ctx): string {
  const id = ctx.params.assignment;
  naming('assignment', () => assertAssignmentId(id));
  return id!;
}

export function addNgshareRoutes(add: AddRoute, deps: NgshareRouteDeps): void {
  const { exchange, config } = deps;
  const limit = config.exchange.maxBodyBytes;
  // The form's fields as bytes (exchange/form.ts): a submission's files are decoded from them, never made strings.
  const form: Middleware<AppState> = async (ctx, next) => {
    if (ctx.request.length && !ctx.is('urlencoded')) {
      throw new ApiError(400, 'Incorrect request format: send the fields form-encoded (application/x-www-form-urlencoded)');
    }
    const tooLarge = () =>
      new ApiError(
        413,
        `The request is larger than the exchange takes (${limit} bytes, base64 included; COURSEWORK_EXCHANGE_MAX_BODY_SIZE): submit fewer or smaller files`,
      );
    ctx.state.form = formFields(await readBody(ctx.req, limit, ctx.request.length, tooLarge));
    await next();
  };
  const files = (ctx: Ctx) => decodeFiles(ctx.state.form?.get('files'), config.exchange.maxFiles);
  const course = (ctx: Ctx) => ctx.state.course!;
  const caller = (ctx: Ctx) => ctx.state.caller!.identity;
  const at = (path: string) => `${NGSHARE_BASE}${path}`;

  add('get', 'exchangeHealth', at('/healthz'), (ctx) => ok(ctx));

  add('get', 'exchangeListCourses', at('/courses'), async (ctx) => ok(ctx, { courses: await exchange.courseIds(caller(ctx)) }));

  add('post', 'exchangeCreateCourse', at('/course/:id'), form, async (ctx) => {
    const instructors = jsonField(ctx, 'instructors', 'Instructors cannot be JSON decoded') ?? [];
    if (!Array.isArray(instructors) || !instructors.every((name) => typeof name === 'string')) {
      throw new InvalidInputError('Instructors cannot be JSON decoded: a JSON list of user names');
    }
    await exchange.createCourse(ctx.params.id!, instructors, caller(ctx));
    ok(ctx);
  });

  add('delete', 'exchangeDeleteCourse', at('/course/:id'), form, async (ctx) => {
    await exchange.deleteCourse(ctx.params.id!, caller(ctx).name);
    ok(ctx);
  });

  // One member (GET, POST with a profile, DELETE) and the list of them: instructors and students alike. A student
  // may read their own entry, hence `:student` in the path that reads one.
  const members = [
    {
      kind: 'instructor',
      list: 'exchangeListInstructors',
      get: 'exchangeGetInstructor',
      put: 'exchangePutInstructor',
      remove: 'exchangeRemoveInstructor',
    },
    {
      kind: 'student',
      list: 'exchangeListStudents',
      get: 'exchangeGetStudent',
      put: 'exchangePutStudent',
      remove: 'exchangeRemoveStudent',
    },
  ] as const;
  for (const { kind, list, get, put, remove } of members) {
    add('get', list, at(`/${kind}s/:course`), async (ctx) => ok(ctx, { [`${kind}s`]: await exchange.members(course(ctx), kind) }));
    add('get', get, at(`/${kind}/:course/:student`), async (ctx) =>
      ok(ctx, { ...(await exchange.member(course(ctx), kind, ctx.params.student!)) }),
    );
    add('post', put, at(`/${kind}/:course/:user`), form, async (ctx) => {
      await exchange.putMember(course(ctx), kind, ctx.params.user!, profileOf(ctx), caller(ctx).name);
      ok(ctx);
    });
    add('delete', remove, at(`/${kind}/:course/:user`), form, async (ctx) => {
      await exchange.removeMember(course(ctx), kind, ctx.params.user!, caller(ctx).name);
      ok(ctx);
    });
  }

  add('post', 'exchangeAddStudents', at('/students/:course'), form, async (ctx) => {
    const rows = jsonField(ctx, 'students', 'Students cannot be JSON decoded');
    if (rows === undefined) throw new InvalidInputError('Please supply students');
    const valid =
      Array.isArray(rows) &&
      rows.every(
        (row: unknown) =>
          typeof row === 'object' &&
          row !== null &&
          ['username', 'first_name', 'last_name', 'email'].every((key) => typeof (row as Record<string, unknown>)[key] === 'string'),
      );
    if (!valid) throw new InvalidInputError('Incorrect request format: students is a list of {username, first_name, last_name, email}');
    ok(ctx, { status: await exchange.addStudents(course(ctx), rows, caller(ctx).name) });
  });

  add('get', 'exchangeListAssignments', at('/assignments/:course'), async (ctx) =>
    ok(ctx, { assignments: await exchange.assignments(course(ctx)) }),
  );

  add('get', 'exchangeFetchAssignment', at('/assignment/:course/:assignment'), async (ctx) =>
    ok(ctx, { files: await exchange.fetchAssignment(course(ctx), assignmentOf(ctx), listOnly(field(ctx, 'list_only'))) }),
  );

  add('post', 'exchangeReleaseAssignment', at('/assignment/:course/:assignment'), form, async (ctx) => {
    const assignment = assignmentOf(ctx);
    await exchange.releaseAssignment(course(ctx), assignment, files(ctx), caller(ctx).name);
    ok(ctx);
  });

  add('delete', 'exchangeUnreleaseAssignment', at('/assignment/:course/:assignment'), form, async (ctx) => {
    await exchange.unreleaseAssignment(course(ctx), assignmentOf(ctx), caller(ctx).name);
    ok(ctx);
  });

  add('get', 'exchangeListSubmissions', at('/submissions/:course/:assignment'), async (ctx) =>
    ok(ctx, { submissions: await exchange.submissionList(course(ctx), assignmentOf(ctx)) }),
  );

  add('get', 'exchangeListStudentSubmissions', at('/submissions/:course/:assignment/:student'), async (ctx) =>
    ok(ctx, { submissions: await exchange.submissionList(course(ctx), assignmentOf(ctx), ctx.params.student!) }),
  );

  // Always as the caller: the `user` field ngshare_exchange sends is not who submits.
  add('post', 'exchangeSubmit', at('/submission/:course/:assignment'), form, async (ctx) => {
    const assignment = assignmentOf(ctx);
    const submission = await exchange.submit(course(ctx), assignment, caller(ctx).name, files(ctx));
    ok(ctx, { timestamp: submission.timestamp });
  });

  // The timestamp matches exactly as it was given out (as ngshare's does).
  add('get', 'exchangeGetSubmission', at('/submission/:course/:assignment/:student'), async (ctx) => {
    const timestamp = field(ctx, 'timestamp');
    const found = await exchange.submission(
      course(ctx),
      assignmentOf(ctx),
      ctx.params.student!,
      typeof timestamp === 'string' ? timestamp : undefined,
      listOnly(field(ctx, 'list_only')),
    );
    ok(ctx, found);
  });

  // Feedback's timestamp is read with or without ` UTC`.
  const timestampOf = (ctx: Ctx): string => {
    const given = field(ctx, 'timestamp');
    if (given === undefined || given === '') throw new InvalidInputError('Please supply timestamp');
    const parsed = parseWireTimestamp(given);
    if (!parsed) throw new InvalidInputError('Time format incorrect (YYYY-MM-DD HH:MM:SS.ffffff, UTC)');
    return parsed;
  };

  add('post', 'exchangeReleaseFeedback', at('/feedback/:course/:assignment/:student'), form, async (ctx) => {
    const assignment = assignmentOf(ctx);
    const timestamp = timestampOf(ctx);
    await exchange.releaseFeedback(course(ctx), assignment, ctx.params.student!, timestamp, files(ctx), caller(ctx).name);
    ok(ctx);
  });

  add('get', 'exchangeGetFeedback', at('/feedback/:course/:assignment/:student'), async (ctx) => {
    const assignment = assignmentOf(ctx);
    const timestamp = timestampOf(ctx);
    const student = ctx.params.student!;
    // Feedback not released yet is for those the policy lets read a student's feedback; the student sees what is released.
    const asStudent = decide('getStudentFeedback', ctx.state.caller) !== 'allow';
    const found = await exchange.feedback(course(ctx), assignment, student, timestamp, {
      listOnly: listOnly(field(ctx, 'list_only')),
      asStudent,
    });
    ok(ctx, { files: found, timestamp });
  });
}
