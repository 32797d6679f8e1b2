/**
 * The feedback API through the real app (the Hub stood in by a token table): releases, what students see and
 * when, replacing, withdrawing, history, bulk zips, limits, and delivery into a home the test owns. Cross-student
 * access and writing as other users are tested against a real Hub and real system users (integration tests).
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { CourseworkClient, CourseworkError, type StudentFeedback } from '@coursework/client';
import { expectMatchesContract } from '../support/openapi-validator';
import { type InProcessApp, startInProcessApp, tokenOf } from '../support/in-process';
import { buildZip } from '../support/zip-builder';

let app: InProcessApp;
let instructor: CourseworkClient;
let student: CourseworkClient;
let homes: string;

beforeAll(async () => {
  app = await startInProcessApp({ COURSEWORK_FEEDBACK_MAX_FILE_SIZE: '64K' });
  const baseUrl = app.url + app.prefix;
  instructor = new CourseworkClient({ baseUrl, token: tokenOf('instructor') });
  student = new CourseworkClient({ baseUrl, token: tokenOf('student') });
  homes = path.dirname(app.config.homeTemplate);
});
afterAll(() => app.close());

const call = (method: string, urlPath: string, init: RequestInit = {}, who: 'instructor' | 'student' = 'instructor') =>
  fetch(app.url + app.prefix + urlPath, { ...init, method, headers: { Authorization: `token ${tokenOf(who)}`, ...(init.headers ?? {}) } });

/** A student's feedback on an assignment, once `done` says so. */
async function untilFeedback(student: string, assignment: string, done: (detail: StudentFeedback) => boolean): Promise<StudentFeedback> {
  // Up to 30 s: a delivery on a loaded machine (the whole suite in parallel, on PostgreSQL) takes seconds.
  for (let i = 0; i < 600; i++) {
    const detail = await instructor.studentFeedback(student, assignment);
    if (done(detail)) return detail;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting on ${student}/${assignment}`);
}

const waitForDelivery = (assignment: string, filePath: string) =>
  untilFeedback('student1', assignment, (detail) => detail.files.some((f) => f.path === filePath && f.delivery !== null));

describe('releasing feedback', () => {
  it('releases files that the student lists and downloads byte for byte', async () => {
    const report = '<html><body>Score: 9/10 ✓</body></html>';
    const released = await instructor.releaseFeedback('student1', 'ps1', { 'report.html': report, 'notebooks/ps1.ipynb': '{"cells":[]}' });
    expectMatchesContract('releaseFeedback', 201, released);
    expect(released.files.map((f) => [f.path, f.released, f.homePath])).toEqual([
      ['notebooks/ps1.ipynb', true, null],
      ['report.html', true, null],
    ]);
    const mine = await student.myFeedback();
    expectMatchesContract('listMyFeedback', 200, mine);
    expect(mine.items.map((i) => [i.assignment, i.files.map((f) => f.path)])).toEqual([['ps1', ['notebooks/ps1.ipynb', 'report.html']]]);
    const response = await fetch(student.myFeedbackFileUrl('ps1', 'report.html'), {
      headers: { Authorization: `token ${tokenOf('student')}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('etag')).toBe(`"${mine.items[0]!.files[1]!.sha256}"`);
    expect(await response.text()).toBe(report);
  });

  it('replaces a file of the same path and keeps the earlier version in the history', async () => {
    await instructor.releaseFeedback('student1', 'ps2', { 'report.html': 'v1', 'extra.txt': 'stays' });
    const after = await instructor.releaseFeedback('student1', 'ps2', { 'report.html': 'v2' });
    expect(after.files.map((f) => f.path)).toEqual(['extra.txt', 'report.html']);
    expect(after.history.map((f) => [f.path, f.replacedAt !== null])).toEqual([['report.html', true]]);
    const download = await call('GET', 'api/v1/me/feedback/ps2/files/report.html', {}, 'student');
    expect(await download.text()).toBe('v2');
    // The earlier bytes are still there for the instructor to see.
    expect(after.history[0]!.sha256).not.toBe(after.files[1]!.sha256);
  });

  it('withdraws a file or an assignment: the student no longer sees it, the history keeps it', async () => {
    await instructor.releaseFeedback('student1', 'ps3', { 'a.txt': 'a', 'b.txt': 'b' });
    await instructor.withdrawFeedback('student1', 'ps3', 'a.txt');
    expect((await student.myFeedback()).items.find((i) => i.assignment === 'ps3')!.files.map((f) => f.path)).toEqual(['b.txt']);
    expect((await call('GET', 'api/v1/me/feedback/ps3/files/a.txt', {}, 'student')).status).toBe(404);
    await instructor.withdrawFeedback('student1', 'ps3');
    expect((await student.myFeedback()).items.find((i) => i.assignment === 'ps3')).toBeUndefined();
    const detail = await instructor.studentFeedback('student1', 'ps3');
    expect(detail.files).toEqual([]);
    expect(detail.history.map((f) => [f.path, f.withdrawnBy])).toEqual([
      ['b.txt', 'instructor'],
      ['a.txt', 'instructor'],
    ]);
    await expect(instructor.withdrawFeedback('student1', 'ps3')).rejects.toMatchObject({ status: 404 });
  });

  it('keeps a scheduled release hidden until its time, which instructors can move', async () => {
    const later = new Date(Date.now() + 3600_000).toISOString();
    await instructor.releaseFeedback('student1', 'exam', { 'grade.txt': 'A' }, { releaseAt: later });
    expect((await student.myFeedback()).items.find((i) => i.assignment === 'exam')).toBeUndefined();
    expect((await call('GET', 'api/v1/me/feedback/exam/files/grade.txt', {}, 'student')).status).toBe(404);
    const summaries = await instructor.studentFeedbackList('student1');
    expectMatchesContract('listStudentFeedback', 200, summaries);
    expect(summaries.find((s) => s.assignment === 'exam')).toMatchObject({ files: 1, released: 0, pending: 1, nextReleaseAt: later });
    // The instructor can still read it.
    expect(await (await call('GET', 'api/v1/students/student1/feedback/exam/files/grade.txt')).text()).toBe('A');
    // Publish the whole class now.
    const moved = await instructor.rescheduleFeedback('exam', new Date(Date.now() - 1000).toISOString());
    expect(moved).toEqual({ rescheduled: 1 });
    expect((await student.myFeedback()).items.find((i) => i.assignment === 'exam')!.files[0]!.path).toBe('grade.txt');
    // Released files do not move any more.
    expect(await instructor.rescheduleFeedback('exam', later, 'student1')).toEqual({ rescheduled: 0 });
  });

  it('takes a raw PUT body as one file', async () => {
    const response = await call('PUT', 'api/v1/students/student2/feedback/ps1/files/deep/dir/notes.md?releaseAt=2020-01-01T00:00:00Z', {
      body: '# Notes',
    });
    expect(response.status).toBe(201);
    const version = await response.json();
    expectMatchesContract('putFeedbackFile', 201, version);
    expect(version).toMatchObject({ path: 'deep/dir/notes.md', size: 7, released: true, releasedBy: 'instructor' });
  });

  it('refuses bad names, extensions, sizes, times and students with a clear 4xx and stores nothing', async () => {
    const cases: [string, string, RequestInit, number, RegExp][] = [
      ['PUT', 'api/v1/students/student1/feedback/ps1/files/..%2F..%2Fetc%2Fpasswd.txt', { body: 'x' }, 400, /`\.` and `\.\.`/],
      ['PUT', 'api/v1/students/student1/feedback/ps1/files/.bashrc', { body: 'x' }, 400, /hidden/],
      ['PUT', 'api/v1/students/student1/feedback/ps1/files/tool.exe', { body: 'x' }, 400, /\.exe files are not accepted/],
      ['PUT', 'api/v1/students/student1/feedback/..%2Fx/files/a.txt', { body: 'x' }, 400, /assignment/],
      ['PUT', 'api/v1/students/ghost/feedback/ps1/files/a.txt', { body: 'x' }, 404, /ghost is not a student/],
      ['PUT', 'api/v1/students/student1/feedback/ps1/files/big.txt', { body: 'x'.repeat(65 * 1024) }, 413, /larger than 65536 bytes/],
      ['PUT', 'api/v1/students/student1/feedback/ps1/files/a.txt?releaseAt=tomorrow', { body: 'x' }, 400, /ISO 8601/],
      ['PUT', 'api/v1/students/student1/feedback/ps1/files/a.txt?deliver=maybe', { body: 'x' }, 400, /deliver must be/],
    ];
    for (const [method, urlPath, init, status, message] of cases) {
      const response = await call(method, urlPath, init);
      expect([urlPath, response.status]).toEqual([urlPath, status]);
      expect(((await response.json()) as { message: string }).message).toMatch(message);
    }
    const form = new FormData();
    form.append('files', new Blob(['x'.repeat(65 * 1024)]), 'big.txt');
    const tooBig = await call('POST', 'api/v1/students/student1/feedback/big', { body: form });
    expect(tooBig.status).toBe(413);
    await expect(instructor.studentFeedback('student1', 'big')).rejects.toBeInstanceOf(CourseworkError);
  });
});

describe('the audit log', () => {
  it('lists releases, withdrawals and downloads, newest first, filtered by action family and target', async () => {
    const entries = await instructor.audit({ action: 'feedback.', target: 'student1/ps3' });
    expectMatchesContract('getAudit', 200, entries);
    expect(entries.map((e) => [e.action, e.target, e.actor])).toEqual([
      ['feedback.withdrawn', 'student1/ps3', 'instructor'],
      ['feedback.withdrawn', 'student1/ps3/a.txt', 'instructor'],
      ['feedback.released', 'student1/ps3', 'instructor'],
    ]);
    const downloads = await instructor.audit({ action: 'feedback.downloaded', actor: 'student1' }, { limit: 1 });
    expect(downloads).toHaveLength(1);
    // A target with LIKE wildcards matches only itself.
    expect(await instructor.audit({ target: 'student%' })).toEqual([]);
  });
});

describe('bulk release', () => {
  it('releases a folder per student and reports unknown students and rejected files', async () => {
    const zip = buildZip([
      { name: 'feedback/student2/lab1/lab1.html', content: '<p>s2</p>' },
      { name: 'feedback/student3/lab1/lab1.html', content: '<p>s3</p>' },
      { name: 'feedback/student3/lab1/evil.exe', content: 'MZ' },
      { name: 'feedback/ghost/lab1/lab1.html', content: '<p>?</p>' },
      { name: 'feedback/../../escape.html', content: 'x' },
    ]);
    const report = await instructor.releaseFeedbackZip('lab1', zip);
    expectMatchesContract('releaseFeedbackZip', 200, report);
    expect(report.students).toEqual({
      student2: { status: 'released', files: ['lab1.html'], rejected: [] },
      student3: {
        status: 'released',
        files: ['lab1.html'],
        rejected: [{ path: 'evil.exe', reason: expect.stringMatching(/not accepted/) }],
      },
      ghost: {
        status: 'unknown-student',
        files: [],
        rejected: [{ path: 'lab1/lab1.html', reason: 'ghost is not a student of this course' }],
      },
    });
    expect(report.rejected).toEqual([{ path: 'feedback/../../escape.html', reason: '`..` is not accepted in paths' }]);
    expect(await (await call('GET', 'api/v1/students/student3/feedback/lab1/files/lab1.html')).text()).toBe('<p>s3</p>');
    await expect(instructor.studentFeedback('student3', 'lab1')).resolves.toMatchObject({ files: [{ path: 'lab1.html' }] });
  });

  it('refuses what is not a zip', async () => {
    await expect(instructor.releaseFeedbackZip('lab1', new TextEncoder().encode('not a zip'))).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/^Archive refused: not a (readable )?zip archive/),
    });
  });
});

describe('delivery into the home', () => {
  it('writes released files into <home>/feedback/<assignment>/ when asked, and records how', async () => {
    await instructor.releaseFeedback('student1', 'hw9', { 'report.html': '<p>delivered</p>' }, { deliver: true });
    const detail = await waitForDelivery('hw9', 'report.html');
    expectMatchesContract('getStudentFeedback', 200, detail);
    expect(detail.files[0]!.homePath).toBe('feedback/hw9/report.html');
    expect(detail.files[0]!.delivery).toMatchObject({ status: 'written', path: 'feedback/hw9/report.html' });
    expect(readFileSync(path.join(homes, 'student1', 'feedback', 'hw9', 'report.html'), 'utf8')).toBe('<p>delivered</p>');
  });

  it('waits for a home that does not exist yet, and writes once it does', async () => {
    const home = path.join(homes, 'student3');
    renameSync(home, `${home}.away`);
    try {
      await instructor.releaseFeedback('student3', 'hw11', { 'first.txt': 'welcome' }, { deliver: true });
      let detail = await untilFeedback('student3', 'hw11', (d) => d.files[0]!.delivery !== null);
      expect(detail.files[0]!.delivery).toMatchObject({ status: 'waiting', reason: 'the home folder does not exist yet' });
      expect(existsSync(home)).toBe(false);
      renameSync(`${home}.away`, home);
      await app.feedback.delivery.kick();
      detail = await untilFeedback('student3', 'hw11', (d) => d.files[0]!.delivery?.status === 'written');
      expect(readFileSync(path.join(home, 'feedback', 'hw11', 'first.txt'), 'utf8')).toBe('welcome');
    } finally {
      if (existsSync(`${home}.away`)) renameSync(`${home}.away`, home);
    }
  });

  it('waits for the release time before writing', async () => {
    const soon = new Date(Date.now() + 1500).toISOString();
    await instructor.releaseFeedback('student1', 'hw10', { 'late.txt': 'on time' }, { deliver: true, releaseAt: soon });
    const file = path.join(homes, 'student1', 'feedback', 'hw10', 'late.txt');
    expect(() => readFileSync(file)).toThrow();
    await waitForDelivery('hw10', 'late.txt');
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(soon));
    expect(readFileSync(file, 'utf8')).toBe('on time');
  });
});
