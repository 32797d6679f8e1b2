/**
 * Stock nbgrader (0.9.6) and ngshare_exchange (0.5.3) from PyPI run a whole course through Coursework's exchange
 * under a real Hub: the only change on their side is the exchange URL. nbgrader exits 0 on most exchange failures,
 * so every step is checked by what it leaves on disk, in the gradebook and in Coursework's API.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { type RunningHub, startHub, VENV_BIN } from '../support/hub';
import { ServerKernel } from '../support/servers';

const run = promisify(execFile);
const COURSE = 'nb-course';

let hub: RunningHub;
const tokens: Record<string, string> = {};
let root: string;

interface Ran {
  code: number;
  output: string;
}

/** Runs a command as `user` would in a terminal of their server: their token, their own home and nbgrader config. */
async function as(user: string, command: string[], cwd = homeOf(user)): Promise<Ran> {
  const env = {
    PATH: `${VENV_BIN}:/usr/bin:/bin`,
    HOME: homeOf(user),
    JUPYTERHUB_USER: user,
    JUPYTERHUB_API_TOKEN: tokens[user]!,
    JUPYTER_CONFIG_DIR: path.join(homeOf(user), '.jupyter'),
    JUPYTER_DATA_DIR: path.join(homeOf(user), '.local', 'share', 'jupyter'),
    LANG: 'C.UTF-8',
  };
  try {
    const { stdout, stderr } = await run(command[0]!, command.slice(1), { cwd, env, timeout: 120000, maxBuffer: 16 << 20 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

const homeOf = (user: string) => path.join(hub.dir, 'nbgrader-users', user);

/** The one line a course changes to use Coursework as its exchange, and the course each side works in. */
function configure(user: string, courseSettings: string): void {
  mkdirSync(path.join(homeOf(user), '.jupyter'), { recursive: true });
  writeFileSync(
    path.join(homeOf(user), '.jupyter', 'nbgrader_config.py'),
    [
      'from ngshare_exchange import configureExchange',
      'c = get_config()',
      `configureExchange(c, "${hub.serviceUrl}ngshare")`,
      courseSettings,
      '',
    ].join('\n'),
  );
}

const cell = (cellType: 'code' | 'markdown', source: string, nbgrader?: Record<string, unknown>) => ({
  cell_type: cellType,
  metadata: nbgrader ? { nbgrader: { schema_version: 3, ...nbgrader } } : {},
  source,
  ...(cellType === 'code' && { execution_count: null, outputs: [] }),
});

const PROBLEM = {
  cells: [
    cell('markdown', 'Write `add`.'),
    cell('code', 'def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION', {
      solution: true,
      grade: false,
      locked: false,
      grade_id: 'answer',
    }),
    cell('code', 'assert add(1, 2) == 3', { solution: false, grade: true, locked: true, points: 1, grade_id: 'test_add' }),
  ],
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  nbformat: 4,
  nbformat_minor: 5,
};

async function api(user: string, apiPath: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${hub.serviceUrl}api/v1/${apiPath}`, { headers: { Authorization: `token ${tokens[user]}` } });
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  // A small limit on the exchange's bodies, to send one over it through the Hub's proxy.
  hub = await startHub({ env: { COURSEWORK_EXCHANGE_MAX_BODY_SIZE: '4M' } });
  // The instructor also manages courses (the admin scope, through the admins' group), as ngshare's --admins did.
  await hub.api('POST', '/groups/coursework-admins');
  expect((await hub.api('POST', '/groups/coursework-admins/users', { users: ['instructor'] })).status).toBe(200);
  for (const user of ['instructor', 'student1', 'student2', 'student3']) tokens[user] = (await hub.issueToken(user)).token;
  root = path.join(homeOf('instructor'), COURSE);
  mkdirSync(path.join(root, 'source', 'ps1', 'data'), { recursive: true });
  writeFileSync(path.join(root, 'source', 'ps1', 'problem1.ipynb'), JSON.stringify(PROBLEM));
  writeFileSync(path.join(root, 'source', 'ps1', 'data', 'input.csv'), 'a,b\n1,2\n');
  configure('instructor', `c.CourseDirectory.course_id = "${COURSE}"\nc.CourseDirectory.root = "${root}"`);
  for (const student of ['student1', 'student2', 'student3']) configure(student, 'c.CourseDirectory.course_id = "*"');
}, 180000);

afterAll(() => hub?.stop());

describe('a course run with stock nbgrader through Coursework', () => {
  it('creates the course and its roster with ngshare-course-management', async () => {
    await as('instructor', ['ngshare-course-management', 'create_course', COURSE, 'instructor']);
    const course = await api('instructor', `courses/${COURSE}`);
    expect(course).toMatchObject({ status: 200, body: { id: COURSE, roles: ['instructor'] } });

    await as(
      'instructor',
      ['ngshare-course-management', 'add_student', COURSE, 'student1', '-f', 'Ann', '-l', 'One', '-e', 'ann@example.org'],
      root,
    );
    writeFileSync(
      path.join(root, 'students.csv'),
      'student_id,first_name,last_name,email\nstudent2,Bo,Two,bo@example.org\ninstructor,Not,A Student,i@example.org\n',
    );
    const bulk = await as('instructor', ['ngshare-course-management', 'add_students', COURSE, 'students.csv'], root);
    expect(bulk.output).toContain('Cannot add instructor as student');
    const roster = (await api('instructor', `courses/${COURSE}/roster`)).body as { user: string; roles: string[] }[];
    expect(roster.map((entry) => [entry.user, entry.roles])).toEqual([
      ['instructor', ['instructor']],
      ['student1', ['student']],
      ['student2', ['student']],
    ]);
  }, 120000);

  it('releases an assignment with a data file, which students list and fetch', async () => {
    await as('instructor', ['nbgrader', 'generate_assignment', 'ps1'], root);
    expect(existsSync(path.join(root, 'release', 'ps1', 'problem1.ipynb'))).toBe(true);
    await as('instructor', ['nbgrader', 'release_assignment', 'ps1'], root);
    const listed = await as('student1', ['nbgrader', 'list']);
    expect(listed.output).toMatch(new RegExp(`${COURSE}\\s+ps1`));
    for (const student of ['student1', 'student2']) {
      await as(student, ['nbgrader', 'fetch_assignment', 'ps1', '--course', COURSE]);
      expect(readFileSync(path.join(homeOf(student), 'ps1', 'data', 'input.csv'), 'utf8')).toBe('a,b\n1,2\n');
      expect(readFileSync(path.join(homeOf(student), 'ps1', 'problem1.ipynb'), 'utf8')).toContain('NotImplementedError');
    }
    // Not on the roster: the course is not theirs, nothing is fetched.
    await as('student3', ['nbgrader', 'fetch_assignment', 'ps1', '--course', COURSE]);
    expect(existsSync(path.join(homeOf('student3'), 'ps1'))).toBe(false);
  }, 120000);

  it('takes submissions (one student twice) and collects the latest of each', async () => {
    const notebook = (student: string) => path.join(homeOf(student), 'ps1', 'problem1.ipynb');
    writeFileSync(notebook('student1'), readFileSync(notebook('student1'), 'utf8').replace('raise NotImplementedError()', 'return a + b'));
    const submitted = await as('student1', ['nbgrader', 'submit', 'ps1', '--course', COURSE]);
    expect(submitted.output).toMatch(/Submitted as: nb-course ps1 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}/);
    await as('student2', ['nbgrader', 'submit', 'ps1', '--course', COURSE]);
    writeFileSync(notebook('student2'), readFileSync(notebook('student2'), 'utf8').replace('raise NotImplementedError()', 'return a - b'));
    const second = await as('student2', ['nbgrader', 'submit', 'ps1', '--course', COURSE]);
    const latest = /Submitted as: nb-course ps1 (\S+ \S+)/.exec(second.output)![1]!;

    const inbound = await as('instructor', ['nbgrader', 'list', '--inbound'], root);
    expect(inbound.output.match(/nb-course\s+student\d\s+ps1/g)).toHaveLength(3);
    await as('instructor', ['nbgrader', 'collect', 'ps1'], root);
    const collected = (student: string, file: string) => readFileSync(path.join(root, 'submitted', student, 'ps1', file), 'utf8');
    expect(collected('student1', 'problem1.ipynb')).toContain('return a + b');
    expect(collected('student2', 'problem1.ipynb')).toContain('return a - b');
    expect(collected('student2', 'timestamp.txt').trim()).toBe(latest);
  }, 180000);

  it('autogrades, and releases feedback that students fetch as HTML', async () => {
    await as('instructor', ['nbgrader', 'autograde', 'ps1'], root);
    const grades = await as('instructor', [
      path.join(VENV_BIN, 'python'),
      '-c',
      [
        'from nbgrader.api import Gradebook',
        `with Gradebook("sqlite:///${root}/gradebook.db") as gb:`,
        '    print({s: gb.find_submission("ps1", s).score for s in ("student1", "student2")})',
      ].join('\n'),
    ]);
    expect(grades.output.trim()).toBe("{'student1': 1.0, 'student2': 0.0}");
    await as('instructor', ['nbgrader', 'generate_feedback', 'ps1'], root);
    await as('instructor', ['nbgrader', 'release_feedback', 'ps1'], root);

    const cached = await as('student1', ['nbgrader', 'list', '--cached']);
    expect(cached.output).toContain('feedback ready to be fetched');
    for (const student of ['student1', 'student2']) {
      await as(student, ['nbgrader', 'fetch_feedback', 'ps1', '--course', COURSE]);
      const feedback = path.join(homeOf(student), 'ps1', 'feedback');
      const withHtml = readdirSync(feedback).filter((folder) => existsSync(path.join(feedback, folder, 'problem1.html')));
      expect(withHtml).toHaveLength(1);
      expect(readFileSync(path.join(feedback, withHtml[0]!, 'problem1.html'), 'utf8')).toMatch(
        student === 'student1' ? /1\.0 \/ 1/ : /0\.0 \/ 1/,
      );
    }
  }, 240000);

  it('shows the same submission and feedback through the API', async () => {
    const snapshots = (await api('instructor', `courses/${COURSE}/students/student2/snapshots`)).body as { name: string }[];
    expect(snapshots.map((s) => s.name).sort()).toEqual([
      expect.stringMatching(/^ps1-submission-1_/),
      expect.stringMatching(/^ps1-submission-2_/),
    ]);
    const mine = (await api('student1', 'me/feedback')).body as {
      items: { assignment: string; course: { id: string }; files: { path: string }[] }[];
    };
    expect(mine.items).toEqual([
      expect.objectContaining({
        assignment: 'ps1',
        course: expect.objectContaining({ id: COURSE }),
        files: [expect.objectContaining({ path: 'problem1.html' })],
      }),
    ]);
    // A student reads neither another's submissions nor their feedback.
    expect((await api('student1', `courses/${COURSE}/students/student2/snapshots`)).status).toBe(403);
    const other = await fetch(`${hub.serviceUrl}ngshare/submissions/${COURSE}/ps1/student2`, {
      headers: { Authorization: `token ${tokens.student1}` },
    });
    expect(other.status).toBe(403);
  }, 60000);
});

it('answers a submission over the body limit with a clear error through the proxy, and the next request works', async () => {
  const files = JSON.stringify([{ path: 'big.bin', content: Buffer.alloc(6 << 20, 7).toString('base64') }]);
  const response = await fetch(`${hub.serviceUrl}ngshare/submission/demo-101/ps1`, {
    method: 'POST',
    headers: { Authorization: `token ${tokens.student1}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ files }).toString(),
  });
  expect(response.status).toBe(413);
  expect(await response.json()).toMatchObject({ success: false, message: expect.stringContaining('COURSEWORK_EXCHANGE_MAX_BODY_SIZE') });
  const after = await fetch(`${hub.serviceUrl}ngshare/courses`, { headers: { Authorization: `token ${tokens.student1}` } });
  expect(after.status).toBe(200);
}, 60000);

describe("in the demo's JupyterLab, with nothing configured by the user", () => {
  const kernels: ServerKernel[] = [];
  afterAll(() => kernels.forEach((kernel) => kernel.close()));

  /** Runs nbgrader from a kernel of the user's own server: its environment, its own token. */
  async function nbgraderIn(kernel: ServerKernel, args: string[]): Promise<string> {
    const result = await kernel.json<{ output: string }>(
      `import json, subprocess\nran = subprocess.run(["nbgrader", *${JSON.stringify(args)}], capture_output=True, text=True)\nprint(json.dumps({"output": ran.stdout + ran.stderr}))`,
    );
    return result.output;
  }

  it("releases the demo instructor's problem set, which a student fetches and submits with the server's own token", async () => {
    const instructor = await ServerKernel.start(hub, 'instructor');
    kernels.push(instructor);
    await nbgraderIn(instructor, ['generate_assignment', 'ps1']);
    expect(existsSync(path.join(hub.homes, 'instructor', 'demo-101', 'release', 'ps1', 'problem1.ipynb'))).toBe(true);
    const released = await nbgraderIn(instructor, ['release_assignment', 'ps1']);
    expect(released).toMatch(/Successfully released ps1/);
    const student = await ServerKernel.start(hub, 'student1');
    kernels.push(student);
    expect(await nbgraderIn(student, ['list'])).toMatch(/demo-101\s+ps1/);
    await nbgraderIn(student, ['fetch_assignment', 'ps1', '--course', 'demo-101']);
    const fetched = path.join(hub.homes, 'student1', 'ps1', 'problem1.ipynb');
    expect(readFileSync(fetched, 'utf8')).toContain('NotImplementedError');
    const submitted = await nbgraderIn(student, ['submit', 'ps1', '--course', 'demo-101']);
    expect(submitted).toMatch(/Submitted as: demo-101 ps1 /);
    const inbound = await nbgraderIn(instructor, ['list', '--inbound']);
    expect(inbound).toMatch(/demo-101\s+student1\s+ps1/);
  }, 240000);
});
