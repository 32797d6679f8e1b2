/**
 * nbgrader's exchange (the ngshare API) through the real app: the wire format and its traps, one model with
 * Coursework's courses, snapshots and feedback, and who may do what. The integration test runs stock nbgrader
 * against a real Hub; this one pins the protocol down request by request.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { type CallerName, type InProcessApp, startInProcessApp, tokenOf } from '../support/in-process';

let app: InProcessApp;
beforeAll(async () => {
  app = await startInProcessApp({ COURSEWORK_EXCHANGE_MAX_BODY_SIZE: '2M' });
});
afterAll(() => app.close());

interface Answer {
  status: number;
  body: Record<string, unknown> & { success: boolean; message?: string };
}

async function ngshare(who: CallerName | null, method: string, route: string, form?: Record<string, string>): Promise<Answer> {
  const headers: Record<string, string> = who ? { Authorization: `token ${tokenOf(who)}` } : {};
  let url = `${app.url}${app.prefix}ngshare${route}`;
  let body: string | undefined;
  if (form && method === 'GET') url += `?${new URLSearchParams(form).toString()}`;
  else if (form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(form).toString();
  }
  const response = await fetch(url, { method, headers, body });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');
/** As Python's base64.encodebytes: a line break every 76 characters and at the end. */
const b64lines = (text: string | Buffer) => `${(b64(text).match(/.{1,76}/g) ?? []).join('\n')}\n`;
const tree = (files: Record<string, string>, encode = b64) =>
  JSON.stringify(Object.entries(files).map(([p, content]) => ({ path: p, content: encode(content) })));
const blobCount = () =>
  readdirSync(path.join(app.config.dataDir, 'blobs'), { recursive: true }).filter((f) => String(f).length > 60).length;

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const NOTEBOOK = JSON.stringify({ cells: [{ cell_type: 'code', source: 'x = 1' }], nbformat: 4 });

describe('a course run through the exchange', () => {
  let first: string;
  let second: string;

  it('creates the course (course admins) with its instructors, and rosters its students', async () => {
    expect(await ngshare('instructor', 'POST', '/course/nb-101', { instructors: '["instructor"]' })).toMatchObject({ status: 403 });
    expect(await ngshare('courseAdmin', 'POST', '/course/nb-101', { instructors: '["instructor"]', user: 'dean' })).toEqual({
      status: 200,
      body: { success: true },
    });
    expect(await ngshare('courseAdmin', 'POST', '/course/nb-101', { instructors: '[]' })).toMatchObject({
      status: 409,
      body: { success: false },
    });
    expect(await ngshare('courseAdmin', 'POST', '/course/nb-102', { instructors: 'not json' })).toMatchObject({
      status: 400,
      body: { success: false, message: 'Instructors cannot be JSON decoded' },
    });
    const added = await ngshare('instructor', 'POST', '/student/nb-101/student1', {
      first_name: 'Ann',
      last_name: 'One',
      email: 'a@example.org',
    });
    expect(added).toEqual({ status: 200, body: { success: true } });
    expect(await ngshare('instructor', 'POST', '/student/nb-101/student2', { first_name: 'Bo' })).toMatchObject({
      status: 400,
      body: { message: 'Please supply last name' },
    });
    const bulk = await ngshare('instructor', 'POST', '/students/nb-101', {
      students: JSON.stringify([
        { username: 'student2', first_name: 'Bo', last_name: 'Two', email: '' },
        { username: 'instructor', first_name: 'I', last_name: 'N', email: '' },
        { username: 'no/slash', first_name: '', last_name: '', email: '' },
      ]),
    });
    expect(bulk.body.status).toEqual([
      { username: 'student2', success: true },
      { username: 'instructor', success: false, message: 'Cannot add instructor as student' },
      { username: 'no/slash', success: false, message: expect.stringMatching(/^user: /) },
    ]);
    const students = await ngshare('grader', 'GET', '/students/nb-101');
    expect(students.status).toBe(403); // the grader does not teach nb-101
    expect((await ngshare('instructor', 'GET', '/students/nb-101')).body.students).toEqual([
      { username: 'student1', first_name: 'Ann', last_name: 'One', email: 'a@example.org' },
      { username: 'student2', first_name: 'Bo', last_name: 'Two', email: '' },
    ]);
    // One member by name: looked up on the roster, with their profile; a role they do not hold is not found.
    expect(await ngshare('instructor', 'GET', '/student/nb-101/student1')).toEqual({
      status: 200,
      body: { success: true, username: 'student1', first_name: 'Ann', last_name: 'One', email: 'a@example.org' },
    });
    expect(await ngshare('instructor', 'GET', '/instructor/nb-101/student1')).toMatchObject({
      status: 404,
      body: { success: false, message: 'Instructor not found' },
    });
    expect(await ngshare('instructor', 'GET', '/student/nb-101/instructor')).toMatchObject({
      status: 404,
      body: { message: 'Student not found' },
    });
    expect((await ngshare('instructor', 'GET', '/instructor/nb-101/instructor')).body).toMatchObject({ username: 'instructor' });
    // The configured course's students are its Hub group's members.
    const course = app.config.course.id;
    expect((await ngshare('instructor', 'GET', `/student/${course}/student3`)).body).toEqual({
      success: true,
      username: 'student3',
      first_name: null,
      last_name: null,
      email: null,
    });
    expect((await ngshare('instructor', 'GET', `/student/${course}/student9`)).status).toBe(404);
    // The same roster through the v1 API.
    const roster = await fetch(`${app.url}${app.prefix}api/v1/courses/nb-101/roster`, {
      headers: { Authorization: `token ${tokenOf('instructor')}` },
    });
    expect(((await roster.json()) as { user: string }[]).map((entry) => entry.user)).toEqual([
      'dean',
      'instructor',
      'student1',
      'student2',
    ]);
    expect((await ngshare('student', 'GET', '/courses')).body.courses).toContain('nb-101');
    expect((await ngshare('outsider', 'GET', '/courses')).body.courses).toEqual([]);
  });

  it('releases an assignment (base64 without line breaks) that students list and fetch, with md5 checksums', async () => {
    const files = tree({ 'ps1.ipynb': NOTEBOOK, 'data/input.csv': 'a,b\n1,2\n' });
    expect(await ngshare('instructor', 'POST', '/assignment/nb-101/ps1', { files })).toEqual({ status: 200, body: { success: true } });
    expect(await ngshare('instructor', 'POST', '/assignment/nb-101/ps1', { files })).toMatchObject({
      status: 409,
      body: { success: false, message: 'Assignment already exists' },
    });
    expect((await ngshare('student', 'GET', '/assignments/nb-101')).body.assignments).toEqual(['ps1']);
    const listed = await ngshare('student', 'GET', '/assignment/nb-101/ps1', { list_only: 'true' });
    expect(listed.body.files).toEqual([
      { path: 'ps1.ipynb', checksum: md5(NOTEBOOK) },
      { path: 'data/input.csv', checksum: md5('a,b\n1,2\n') },
    ]);
    // Only exactly `true` lists without contents.
    const fetched = (await ngshare('student', 'GET', '/assignment/nb-101/ps1', { list_only: 'True' })).body.files as {
      path: string;
      content: string;
      checksum: string;
    }[];
    expect(Buffer.from(fetched[0]!.content, 'base64').toString()).toBe(NOTEBOOK);
    expect(Buffer.from(fetched[1]!.content, 'base64').toString()).toBe('a,b\n1,2\n');
    expect((await ngshare('outsider', 'GET', '/assignment/nb-101/ps1')).status).toBe(403);
    expect(await ngshare('student', 'GET', '/assignment/nb-101/nope')).toMatchObject({
      status: 404,
      body: { message: 'Assignment not found' },
    });
    expect(await ngshare('student', 'GET', '/assignments/no-such-course')).toEqual({
      status: 404,
      body: { success: false, message: 'Course not found' },
    });
  });

  it('stores submissions in the deduplicated store: the template submitted unchanged adds no bytes', async () => {
    const before = blobCount();
    const submitted = await ngshare('student', 'POST', '/submission/nb-101/ps1', {
      files: tree({ 'ps1.ipynb': NOTEBOOK }),
      user: 'student2',
    });
    expect(submitted.status).toBe(200);
    first = submitted.body.timestamp as string;
    expect(first).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
    expect(blobCount()).toBe(before);
    second = (await ngshare('student', 'POST', '/submission/nb-101/ps1', { files: tree({ 'ps1.ipynb': `${NOTEBOOK} ` }) })).body
      .timestamp as string;
    expect(second > first).toBe(true);
    expect(blobCount()).toBe(before + 1);
    // As the caller, never as the `user` field says.
    const mine = await ngshare('student', 'GET', '/submissions/nb-101/ps1/student1');
    expect(mine.body.submissions).toEqual([
      { student_id: 'student1', timestamp: first },
      { student_id: 'student1', timestamp: second },
    ]);
    expect((await ngshare('instructor', 'GET', '/submissions/nb-101/ps1')).body.submissions).toHaveLength(2);
  });

  it('gives instructors a submission by its exact timestamp, or the latest', async () => {
    const latest = await ngshare('instructor', 'GET', '/submission/nb-101/ps1/student1');
    expect(latest.body).toMatchObject({ success: true, timestamp: second });
    const exact = await ngshare('instructor', 'GET', '/submission/nb-101/ps1/student1', { timestamp: first });
    expect(Buffer.from((exact.body.files as { content: string }[])[0]!.content, 'base64').toString()).toBe(NOTEBOOK);
    expect(await ngshare('instructor', 'GET', '/submission/nb-101/ps1/student1', { timestamp: `${first} UTC` })).toMatchObject({
      status: 404,
      body: { message: 'Submission not found' },
    });
    // Students cannot download submissions, their own included (as in ngshare).
    expect((await ngshare('student', 'GET', '/submission/nb-101/ps1/student1')).status).toBe(403);
  });

  it('shows a submission as a snapshot of the student, downloadable like any other', async () => {
    const response = await fetch(`${app.url}${app.prefix}api/v1/courses/nb-101/students/student1/snapshots`, {
      headers: { Authorization: `token ${tokenOf('instructor')}` },
    });
    const snapshots = (await response.json()) as { name: string; files: number; takenBy: string }[];
    expect(snapshots.map((s) => s.name).sort()).toEqual([
      expect.stringMatching(/^ps1-submission-1_\d{4}-\d{2}-\d{2}$/),
      expect.stringMatching(/^ps1-submission-2_/),
    ]);
    expect(snapshots[0]).toMatchObject({ files: 1, takenBy: 'student1' });
    const name = snapshots.find((s) => s.name.startsWith('ps1-submission-1'))!.name;
    const file = await fetch(`${app.url}${app.prefix}api/v1/courses/nb-101/students/student1/snapshots/${name}/files/ps1.ipynb`, {
      headers: { Authorization: `token ${tokenOf('grader')}` },
    });
    expect(file.status).toBe(403); // the grader does not teach nb-101
    const zip = await fetch(`${app.url}${app.prefix}api/v1/courses/nb-101/students/student1/snapshots/${name}/zip`, {
      headers: { Authorization: `token ${tokenOf('instructor')}` },
    });
    expect(zip.status).toBe(200);
    const bytes = Buffer.from(await zip.arrayBuffer());
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    expect(bytes.includes(Buffer.from(NOTEBOOK))).toBe(true);
  });

  it("shows each student's latest submission in the assignment's status, late or not by their own due time", async () => {
    const v1 = (method: string, route: string, body?: unknown) =>
      fetch(`${app.url}${app.prefix}api/v1/courses/nb-101/${route}`, {
        method,
        headers: { Authorization: `token ${tokenOf('instructor')}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const due = new Date(Date.now() - 3600_000).toISOString();
    expect((await v1('POST', 'assignments', { id: 'ps1', dueAt: due, snapshotAtDue: false })).status).toBe(201);
    const status = async () =>
      (
        (await (await v1('GET', 'assignments/ps1/status')).json()) as {
          students: { student: string; submission: Record<string, unknown> | null }[];
        }
      ).students;
    const late = (await status()).find((row) => row.student === 'student1')!.submission!;
    expect(late).toMatchObject({ timestamp: second, files: 1, snapshot: expect.stringMatching(/^ps1-submission-2_/) });
    expect(late.lateBySeconds).toBeGreaterThan(3500);
    expect((await status()).find((row) => row.student === 'student2')!.submission).toBeNull();
    // An extension granted afterwards makes the same submission on time.
    const extended = await v1('PUT', 'assignments/ps1/extensions/student1', { dueAt: new Date(Date.now() + 86400_000).toISOString() });
    expect(extended.status).toBe(200);
    expect((await status()).find((row) => row.student === 'student1')!.submission).toMatchObject({ lateBySeconds: null });
    const csv = await (await v1('GET', 'assignments/ps1/status?format=csv')).text();
    expect(csv.split('\r\n')[0]).toContain('submitted_at,submission_late_by_seconds,submission_manifest_sha256');
  });

  it('releases feedback (base64 with line breaks, timestamp with " UTC") into the Feedback section, under the latest submission', async () => {
    const html = '<html><body>Well done</body></html>';
    const released = await ngshare('instructor', 'POST', '/feedback/nb-101/ps1/student1', {
      timestamp: `${second} UTC`,
      files: tree({ 'ps1.html': html }, b64lines),
    });
    expect(released).toEqual({ status: 200, body: { success: true } });
    const fetched = await ngshare('student', 'GET', '/feedback/nb-101/ps1/student1', { timestamp: second });
    expect(fetched.body).toMatchObject({ success: true, timestamp: second });
    const files = fetched.body.files as { path: string; content: string; checksum: string }[];
    expect(files.map((f) => [f.path, Buffer.from(f.content, 'base64').toString()])).toEqual([['ps1.html', html]]);
    expect((await ngshare('student', 'GET', '/feedback/nb-101/ps1/student1', { timestamp: first })).body.files).toEqual([]);
    const mine = await fetch(`${app.url}${app.prefix}api/v1/me/feedback`, { headers: { Authorization: `token ${tokenOf('student')}` } });
    expect(((await mine.json()) as { items: { assignment: string; course: { id: string } }[] }).items).toEqual([
      expect.objectContaining({ assignment: 'ps1', course: expect.objectContaining({ id: 'nb-101' }) }),
    ]);
    expect(await ngshare('student', 'GET', '/feedback/nb-101/ps1/student1', { timestamp: '2026-11-28T10:00:00' })).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^Time format incorrect/) },
    });
    expect(await ngshare('student', 'GET', '/feedback/nb-101/ps1/student1')).toMatchObject({
      status: 400,
      body: { message: 'Please supply timestamp' },
    });
  });

  it('answers file contents uncompressed, though the client takes gzip (as ngshare does)', async () => {
    const large = JSON.stringify({ cells: Array.from({ length: 1000 }, (_, i) => ({ cell_type: 'code', source: `x = ${i}` })) });
    expect(large.length).toBeGreaterThan(16_384);
    await ngshare('instructor', 'POST', '/assignment/nb-101/large', { files: tree({ 'large.ipynb': large }) });
    const response = await fetch(`${app.url}${app.prefix}ngshare/assignment/nb-101/large`, {
      headers: { Authorization: `token ${tokenOf('student')}`, 'Accept-Encoding': 'gzip, deflate' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBeNull();
    const [file] = ((await response.json()) as { files: { content: string }[] }).files;
    expect(Buffer.from(file!.content, 'base64').toString()).toBe(large);
    expect((await ngshare('instructor', 'DELETE', '/assignment/nb-101/large')).status).toBe(200);
  });
});

describe('what the exchange refuses', () => {
  it("keeps students out of each other's submissions and feedback, and non-members out", async () => {
    expect((await ngshare('student', 'GET', '/submissions/nb-101/ps1/student2')).status).toBe(403);
    expect((await ngshare('student', 'GET', '/feedback/nb-101/ps1/student2', { timestamp: '2026-01-01 00:00:00.000000' })).status).toBe(
      403,
    );
    expect((await ngshare('student', 'GET', '/students/nb-101')).status).toBe(403);
    expect((await ngshare('outsider', 'POST', '/submission/nb-101/ps1', { files: tree({ 'a.ipynb': '{}' }) })).status).toBe(403);
    expect((await ngshare('student', 'POST', '/assignment/nb-101/ps2', { files: tree({ 'a.ipynb': '{}' }) })).status).toBe(403);
    expect(await ngshare(null, 'GET', '/courses')).toMatchObject({ status: 401, body: { success: false } });
  });

  it.each([
    ['../x', 'Illegal path'],
    ['/etc/passwd', 'Illegal path'],
    ['a/../../b', 'Illegal path'],
    ['', 'Illegal path'],
    ['a//b', 'Illegal path'],
  ])('refuses the path %j in a submission', async (bad, message) => {
    const answer = await ngshare('student', 'POST', '/submission/nb-101/ps1', {
      files: JSON.stringify([{ path: bad, content: b64('x') }]),
    });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(new RegExp(`^${message}`));
  });

  it('refuses path tricks in releases and in feedback as in submissions', async () => {
    const trick = JSON.stringify([{ path: '../escape.ipynb', content: b64('x') }]);
    const release = await ngshare('instructor', 'POST', '/assignment/nb-101/ps9', { files: trick });
    expect(release).toMatchObject({ status: 400, body: { success: false, message: expect.stringMatching(/^Illegal path/) } });
    expect((await ngshare('student', 'GET', '/assignments/nb-101')).body.assignments).toEqual(['ps1']);
    const timestamp = (
      (await ngshare('instructor', 'GET', '/submissions/nb-101/ps1/student1')).body.submissions as { timestamp: string }[]
    )[0]!.timestamp;
    for (const path of ['/etc/cron.d/x.html', 'a/../../x.html', '.hidden.html']) {
      const feedback = await ngshare('instructor', 'POST', '/feedback/nb-101/ps1/student1', {
        timestamp,
        files: JSON.stringify([{ path, content: b64('<p>x</p>') }]),
      });
      expect(feedback).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^Illegal path/) } });
    }
  });

  it('refuses duplicates, entries that are not files, and bad base64', async () => {
    const twice = JSON.stringify([
      { path: 'a.txt', content: b64('1') },
      { path: 'a.txt', content: b64('2') },
    ]);
    expect((await ngshare('student', 'POST', '/submission/nb-101/ps1', { files: twice })).body.message).toMatch(/appears twice/);
    expect((await ngshare('student', 'POST', '/submission/nb-101/ps1', { files: '[{"path": "a"}]' })).body.message).toMatch(
      /Incorrect request format/,
    );
    expect((await ngshare('student', 'POST', '/submission/nb-101/ps1', { files: '{"a": 1}' })).body.message).toMatch(
      /Incorrect request format/,
    );
    for (const content of ['YQ', 'Y!Q=']) {
      const answer = await ngshare('student', 'POST', '/submission/nb-101/ps1', { files: JSON.stringify([{ path: 'a.txt', content }]) });
      expect(answer).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^Content cannot be base64 decoded/) } });
    }
    const submissions = await ngshare('instructor', 'GET', '/submissions/nb-101/ps1/student1');
    expect(submissions.body.submissions).toHaveLength(2); // nothing refused was stored
    expect(await ngshare('instructor', 'GET', '/submissions/nb-101/ps1/nobody')).toMatchObject({
      status: 404,
      body: { message: 'Student not found' },
    });
  });

  it('answers a body over the limit with a clear error, and the connection goes on working', async () => {
    const huge = tree({ 'big.bin': 'x'.repeat(3 * 1024 * 1024) });
    const answer = await ngshare('student', 'POST', '/submission/nb-101/ps1', { files: huge });
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ success: false, message: expect.stringContaining('COURSEWORK_EXCHANGE_MAX_BODY_SIZE') });
    expect((await ngshare('student', 'GET', '/courses')).status).toBe(200);
  });
});
