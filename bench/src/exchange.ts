/**
 * nbgrader's exchange: Coursework against ngshare 0.6.0 (the anchor; its own process, on SQLite, with
 * SQLAlchemy 1.4 as it needs) on the same data, through the requests nbgrader makes, timed at the HTTP client so
 * that nbgrader's own start-up does not hide the servers:
 *
 *   every student submits a 60 KB notebook, one at a time        (POST submission/<course>/<assignment>)
 *   every student submits again, 16 at once
 *   the instructor collects every student's latest submission   (GET submissions/..., then GET submission/... each)
 *
 * Both run beside a real JupyterHub (the demo's config; Coursework is the service it starts) and check each request's
 * token with it, as they do in a course: ngshare asks the Hub on every request, Coursework keeps the answer for a while.
 * The requests go to each service straight, not through the Hub's proxy.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { mkdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { freePort } from '../../service/test/support/hub';
import { rssMb, servicePid, startBenchHub } from './load';

export interface ExchangeServer {
  name: string;
  /** The exchange's base URL, without a trailing slash (as ngshare_exchange takes it). */
  base: string;
}

export interface ExchangeTimes {
  setup: number;
  submitOneByOne: number;
  submitConcurrent: number;
  collect: number;
}

const AGENT = new Agent({ keepAlive: true, maxSockets: 16 });
const ASSIGNMENT = 'ps1';

type Answer = { success: boolean; message?: string } & Record<string, unknown>;

/**
 * One request; a form is sent as the urlencoded body ngshare_exchange sends (`encoded`: made before the clock runs).
 * Plain `http` with kept-alive connections: `fetch` costs the client about a millisecond a request here, which would
 * hide the servers' own times.
 */
async function send(server: ExchangeServer, token: string, method: string, route: string, encoded?: string): Promise<string> {
  const url = new URL(`${server.base}${route}`);
  // What python-requests (ngshare_exchange's client) sends: it takes gzip, so a server may answer compressed.
  const headers: Record<string, string | number> = { Authorization: `token ${token}`, 'Accept-Encoding': 'gzip, deflate' };
  if (encoded !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    headers['Content-Length'] = Buffer.byteLength(encoded);
  }
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = httpRequest(url, { method, headers, agent: AGENT }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        const gzipped = response.headers['content-encoding'] === 'gzip';
        resolve({ status: response.statusCode ?? 0, text: (gzipped ? gunzipSync(body) : body).toString('utf8') });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(encoded);
  });
  if (status !== 200) throw new Error(`${server.name}: ${method} ${route}: ${status} ${text.slice(0, 300)}`);
  return text;
}

function answerOf(server: ExchangeServer, text: string): Answer {
  const body = JSON.parse(text) as Answer;
  if (!body.success) throw new Error(`${server.name}: ${body.message}`);
  return body;
}

async function call(server: ExchangeServer, token: string, method: string, route: string, form?: Record<string, string>) {
  return answerOf(server, await send(server, token, method, route, form && new URLSearchParams(form).toString()));
}

function filesField(files: Record<string, string>): string {
  return JSON.stringify(Object.entries(files).map(([p, content]) => ({ path: p, content: Buffer.from(content).toString('base64') })));
}

async function seconds(run: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Runs `work` on every item, `concurrency` at a time. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/**
 * The whole exchange run against one server, in a course of its own (`course`): `notebook(student, attempt)` is what
 * the student submits, `tokens` each user's Hub token.
 */
export async function runExchange(
  server: ExchangeServer,
  tokens: ReadonlyMap<string, string>,
  students: readonly string[],
  notebook: (student: string, attempt: number) => string,
  course: string,
): Promise<ExchangeTimes> {
  const tokenOf = (user: string) => {
    const token = tokens.get(user);
    if (!token) throw new Error(`no Hub token for ${user}`);
    return token;
  };
  const instructor = tokenOf('instructor');
  const setup = await seconds(async () => {
    await call(server, instructor, 'POST', `/course/${course}`, { instructors: '["instructor"]' });
    const rows = students.map((username) => ({ username, first_name: '', last_name: '', email: '' }));
    await call(server, instructor, 'POST', `/students/${course}`, { students: JSON.stringify(rows) });
    await call(server, instructor, 'POST', `/assignment/${course}/${ASSIGNMENT}`, {
      files: filesField({ 'ps1.ipynb': notebook('template', 0) }),
    });
  });
  // The clients' own work (encoding the bodies, decoding and checking the answers) is done outside the clock.
  const bodies = (attempt: number) =>
    new Map(students.map((s) => [s, new URLSearchParams({ files: filesField({ 'ps1.ipynb': notebook(s, attempt) }) }).toString()]));
  const submit = (encoded: Map<string, string>) => async (student: string) => {
    answerOf(server, await send(server, tokenOf(student), 'POST', `/submission/${course}/${ASSIGNMENT}`, encoded.get(student)));
  };
  const first = bodies(1);
  const submitOneByOne = await seconds(() => pool(students, 1, submit(first)));
  const second = bodies(2);
  const submitConcurrent = await seconds(() => pool(students, 16, submit(second)));
  const answers = new Map<string, string>();
  const collect = await seconds(async () => {
    const listed = answerOf(server, await send(server, instructor, 'GET', `/submissions/${course}/${ASSIGNMENT}`)).submissions as {
      student_id: string;
    }[];
    for (const student of new Set(listed.map((s) => s.student_id))) {
      answers.set(student, await send(server, instructor, 'GET', `/submission/${course}/${ASSIGNMENT}/${student}`));
    }
  });
  if (answers.size !== students.length) throw new Error(`${server.name}: collected ${answers.size} of ${students.length}`);
  for (const [student, text] of answers) {
    const [file] = answerOf(server, text).files as { content: string }[];
    if (Buffer.from(file!.content, 'base64').toString() !== notebook(student, 2)) {
      throw new Error(`${server.name}: ${student}'s collected notebook is not the latest`);
    }
  }
  return { setup, submitOneByOne, submitConcurrent, collect };
}

/**
 * ngshare 0.6.0 as JupyterHub would start it, from its own venv, bound to loopback (it binds every interface as a
 * Hub service: the launcher narrows that, nothing else changes).
 */
export async function startNgshare(
  python: string,
  work: string,
  hub: { apiUrl: string; token: string },
  port: number,
): Promise<{ server: ExchangeServer; stop(): Promise<void> }> {
  mkdirSync(path.join(work, 'ngshare-files'), { recursive: true });
  const launcher = [
    'import runpy, tornado.tcpserver as t',
    'listen = t.TCPServer.listen',
    "t.TCPServer.listen = lambda self, port, address='', *a, **k: listen(self, port, '127.0.0.1', *a, **k)",
    "runpy.run_module('ngshare', run_name='__main__')",
  ].join('\n');
  const child = spawn(
    python,
    [
      '-c',
      launcher,
      '--admins',
      'instructor',
      '--database',
      `sqlite:///${path.join(work, 'ngshare.db')}`,
      '--storage',
      path.join(work, 'ngshare-files'),
    ],
    {
      stdio: ['ignore', 'ignore', 'ignore'],
      env: {
        PATH: process.env.PATH,
        JUPYTERHUB_API_URL: hub.apiUrl,
        JUPYTERHUB_API_TOKEN: hub.token,
        JUPYTERHUB_CLIENT_ID: 'service-ngshare',
        JUPYTERHUB_SERVICE_PREFIX: '/services/ngshare/',
        JUPYTERHUB_SERVICE_URL: `http://127.0.0.1:${port}`,
        JUPYTERHUB_OAUTH_CALLBACK_URL: '/services/ngshare/oauth_callback',
      },
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}/services/ngshare`;
  for (let i = 0; ; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (i > 400 || child.exitCode !== null) throw new Error('ngshare did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    server: { name: 'ngshare', base },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface ExchangeMeasure {
  /** Each run's times, Coursework's and ngshare's. */
  ours: ExchangeTimes[];
  theirs: ExchangeTimes[];
  /** The service's RSS in MB when the exchange began, and its peak through all of Coursework's runs. */
  rssAtStart: number;
  rssPeak: number;
}

/**
 * `runs` runs on each side, ngshare's first, each in a course of its own with the notebooks `notebookOfRun(run)` gives
 * (the same bytes again would cost Coursework's deduplicated store nothing), beside one real Hub that holds
 * `students` and `instructor` (who manages courses: the admin scope, as ngshare's --admins) and their tokens.
 */
export async function measureExchange(
  ngsharePython: string,
  work: string,
  students: readonly string[],
  notebookOfRun: (run: number) => (student: string, attempt: number) => string,
  runs: number,
): Promise<ExchangeMeasure> {
  const hub = await startBenchHub();
  try {
    await hub.addUsers(students);
    await hub.api('POST', '/groups/coursework-admins');
    const joined = await hub.api('POST', '/groups/coursework-admins/users', { users: ['instructor'] });
    if (joined.status !== 200) throw new Error(`could not make the instructor an admin: ${joined.status}`);
    const tokens = new Map<string, string>();
    await pool(['instructor', ...students], 8, async (user) => void tokens.set(user, (await hub.issueToken(user)).token));

    const ngshare = await startNgshare(
      ngsharePython,
      work,
      { apiUrl: hub.hubApiUrl, token: randomBytes(24).toString('hex') },
      await freePort(),
    );
    const theirs: ExchangeTimes[] = [];
    try {
      for (let r = 1; r <= runs; r++)
        theirs.push(await runExchange(ngshare.server, tokens, students, notebookOfRun(r), `bench-course-${r}`));
    } finally {
      await ngshare.stop();
    }

    const pid = servicePid(hub.servicePort);
    const rssAtStart = rssMb(pid);
    let rssPeak = rssAtStart;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(pid))), 20);
    const coursework = { name: 'Coursework', base: `http://127.0.0.1:${hub.servicePort}/services/coursework/ngshare` };
    const ours: ExchangeTimes[] = [];
    try {
      for (let r = 1; r <= runs; r++) ours.push(await runExchange(coursework, tokens, students, notebookOfRun(r), `bench-course-${r}`));
    } finally {
      clearInterval(sampler);
    }
    return { ours, theirs, rssAtStart, rssPeak };
  } finally {
    await hub.stop();
  }
}
