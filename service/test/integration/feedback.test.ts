/**
 * Feedback under a real JupyterHub: released by an instructor, seen and downloaded by its student only, bulk
 * zips with hostile entries, and delivery into homes of real system users (created with useradd), written as
 * them and never through a symlink. The parts that need other users need root, as CI has.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CourseworkClient, type StudentFeedback } from '@coursework/client';
import { type RunningHub, startHub } from '../support/hub';
import { expectMatchesContract } from '../support/openapi-validator';
import { buildZip } from '../support/zip-builder';

const asRoot = process.getuid?.() === 0 && process.platform === 'linux';
const itAsRoot = asRoot ? it : it.skip;
/** A real system user, created for these tests and removed after. */
const SYSTEM_STUDENT = `cwfb${process.pid % 100000}`;

let hub: RunningHub;
let instructor: CourseworkClient;
let student1: CourseworkClient;
let student2: CourseworkClient;
let tokens: Record<string, string>;

function ids(user: string): { uid: number; gid: number } {
  return { uid: Number(execFileSync('id', ['-u', user]).toString()), gid: Number(execFileSync('id', ['-g', user]).toString()) };
}

async function waitForDelivery(client: CourseworkClient, student: string, assignment: string, filePath: string): Promise<StudentFeedback> {
  for (let i = 0; i < 200; i++) {
    const detail = await client.studentFeedback(student, assignment);
    if (detail.files.find((f) => f.path === filePath)?.delivery) return detail;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no delivery of ${filePath}`);
}

beforeAll(async () => {
  hub = await startHub();
  const client = async (user: string) => {
    const { token } = await hub.issueToken(user);
    tokens[user] = token;
    return new CourseworkClient({ baseUrl: hub.serviceUrl, token });
  };
  tokens = {};
  instructor = await client('instructor');
  student1 = await client('student1');
  student2 = await client('student2');
  if (asRoot) {
    execFileSync('useradd', ['--no-create-home', '--user-group', '--shell', '/usr/sbin/nologin', SYSTEM_STUDENT]);
    // Homes are reached through the test's private temp folder: let the student through, as /home would.
    chmodSync(hub.dir, 0o755);
    chmodSync(hub.homes, 0o755);
    const home = path.join(hub.homes, SYSTEM_STUDENT);
    mkdirSync(home, { mode: 0o700 });
    const { uid, gid } = ids(SYSTEM_STUDENT);
    chownSync(home, uid, gid);
    expect((await hub.api('POST', `/users/${SYSTEM_STUDENT}`)).status).toBe(201);
    expect((await hub.api('POST', '/groups/students/users', { users: [SYSTEM_STUDENT] })).status).toBe(200);
  }
});

afterAll(async () => {
  await hub?.stop();
  if (asRoot) execFileSync('userdel', [SYSTEM_STUDENT], { stdio: 'ignore' });
});

describe('feedback under a real Hub', () => {
  it('reaches its student, byte for byte, and no other student', async () => {
    const report = Buffer.from('<html><body><h1>PS1</h1><p>9/10</p></body></html>');
    const notebook = Buffer.from(
      JSON.stringify({ cells: [{ cell_type: 'markdown', source: 'Well done' }], nbformat: 4, nbformat_minor: 5, metadata: {} }),
    );
    await instructor.releaseFeedback('student1', 'ps1', { 'report.html': report, 'ps1.ipynb': notebook });

    const mine = await student1.myFeedback();
    expectMatchesContract('listMyFeedback', 200, mine);
    expect(mine.items).toEqual([
      {
        assignment: 'ps1',
        course: { id: 'demo-101', title: 'Demo 101: Data Science' },
        releasedAt: expect.any(String),
        files: [
          { path: 'ps1.ipynb', size: notebook.length, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), releasedAt: expect.any(String) },
          { path: 'report.html', size: report.length, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), releasedAt: expect.any(String) },
        ],
      },
    ]);
    const download = await fetch(student1.myFeedbackFileUrl('ps1', 'report.html'), {
      headers: { Authorization: `token ${tokens.student1}` },
    });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(report);

    // student2: nothing in their list, nothing by path, and no instructor routes.
    expect((await student2.myFeedback()).items).toEqual([]);
    const asStudent2 = (urlPath: string) => fetch(hub.serviceUrl + urlPath, { headers: { Authorization: `token ${tokens.student2}` } });
    for (const attempt of [
      'api/v1/me/feedback/ps1/files/report.html',
      'api/v1/me/feedback/ps1/files/..%2F..%2Fstudent1%2Fps1%2Freport.html',
      'api/v1/me/feedback/..%2Fstudent1/files/report.html',
    ]) {
      expect([attempt, (await asStudent2(attempt)).status]).toEqual([attempt, expect.any(Number)]);
      expect([400, 404]).toContain((await asStudent2(attempt)).status);
    }
    expect((await asStudent2('api/v1/students/student1/feedback/ps1')).status).toBe(403);
    expect((await asStudent2('api/v1/students/student1/feedback/ps1/files/report.html')).status).toBe(403);

    // Recorded in the audit log: the release and the student's download.
    const catalog = hub.openCatalog();
    const events = await catalog
      .selectFrom('audit_events')
      .select(['actor', 'action', 'target'])
      .where('action', 'like', 'feedback.%')
      .execute();
    await catalog.destroy();
    expect(events).toEqual(
      expect.arrayContaining([
        { actor: 'instructor', action: 'feedback.released', target: 'student1/ps1' },
        { actor: 'student1', action: 'feedback.downloaded', target: 'student1/ps1/report.html' },
      ]),
    );
  });

  it('releases a bulk zip, reports each student, and writes nothing outside the store', async () => {
    const zip = buildZip([
      { name: 'feedback/student2/lab1/lab1.html', content: '<p>two</p>' },
      { name: 'feedback/student3/lab1/lab1.html', content: '<p>three</p>' },
      { name: 'feedback/student3/lab1/link.html', content: '/etc/shadow', mode: 0o120777 },
      { name: 'feedback/nobody/lab1/lab1.html', content: '<p>?</p>' },
      { name: 'feedback/../planted-by-zip.html', content: 'x' },
      { name: '/tmp/planted-by-zip.html', content: 'x' },
      { name: 'feedback/student2/lab1/bomb.txt', content: Buffer.alloc(20 * 1024 * 1024) },
    ]);
    const report = await instructor.releaseFeedbackZip('lab1', zip);
    expectMatchesContract('releaseFeedbackZip', 200, report);
    expect(report.students.student2).toEqual({
      status: 'released',
      files: ['lab1.html'],
      rejected: [{ path: 'bomb.txt', reason: expect.stringMatching(/zip bomb/) }],
    });
    expect(report.students.student3).toEqual({
      status: 'released',
      files: ['lab1.html'],
      rejected: [{ path: 'link.html', reason: 'symbolic links are not accepted' }],
    });
    expect(report.students.nobody!.status).toBe('unknown-student');
    expect(report.rejected.map((r) => r.path)).toEqual(['feedback/../planted-by-zip.html', '/tmp/planted-by-zip.html']);
    expect((await student2.myFeedback()).items.map((i) => i.assignment)).toEqual(['lab1']);
    // Nothing landed on disk but blobs: no planted file where its name points (from the service's folders and the
    // temp folder), no upload left behind, homes untouched.
    const found = execFileSync('find', [hub.dir, '-name', 'planted-by-zip.html']).toString().trim();
    expect(found).toBe('');
    for (const place of ['/tmp', os.tmpdir(), path.dirname(hub.dir), path.join(hub.dir, 'data')]) {
      expect(existsSync(path.join(place, 'planted-by-zip.html'))).toBe(false);
    }
    expect(readdirSync(path.join(hub.dir, 'data', 'uploads'))).toEqual([]);
    expect(readdirSync(path.join(hub.homes, 'student2'))).not.toContain('feedback');
  });

  itAsRoot('writes delivered feedback as the student who owns the home, and nothing through a symlink', async () => {
    const { uid, gid } = ids(SYSTEM_STUDENT);
    const home = path.join(hub.homes, SYSTEM_STUDENT);
    await instructor.releaseFeedback(
      SYSTEM_STUDENT,
      'ps1',
      { 'report.html': '<p>yours</p>', 'notes/extra.txt': 'more' },
      { deliver: true },
    );
    const detail = await waitForDelivery(instructor, SYSTEM_STUDENT, 'ps1', 'report.html');
    expect(detail.files.map((f) => [f.path, f.delivery?.status])).toEqual([
      ['notes/extra.txt', 'written'],
      ['report.html', 'written'],
    ]);
    for (const relative of ['feedback', 'feedback/ps1', 'feedback/ps1/notes', 'feedback/ps1/report.html', 'feedback/ps1/notes/extra.txt']) {
      const stats = lstatSync(path.join(home, relative));
      expect([relative, stats.uid, stats.gid]).toEqual([relative, uid, gid]);
    }
    expect(readFileSync(path.join(home, 'feedback/ps1/report.html'), 'utf8')).toBe('<p>yours</p>');

    // The student edits the report; a corrected release must not clobber the edit.
    writeFileSync(path.join(home, 'feedback/ps1/report.html'), 'my annotations');
    await instructor.releaseFeedback(SYSTEM_STUDENT, 'ps1', { 'report.html': '<p>corrected</p>' }, { deliver: true });
    const corrected = await waitForDelivery(instructor, SYSTEM_STUDENT, 'ps1', 'report.html');
    expect(corrected.files.find((f) => f.path === 'report.html')!.delivery).toMatchObject({
      status: 'kept-both',
      path: 'feedback/ps1/report (2).html',
    });
    expect(readFileSync(path.join(home, 'feedback/ps1/report.html'), 'utf8')).toBe('my annotations');
    expect(readFileSync(path.join(home, 'feedback/ps1/report (2).html'), 'utf8')).toBe('<p>corrected</p>');

    // The student swaps the feedback folder for a symlink to a folder anyone may write: nothing is written there.
    const outside = mkdtempSync(path.join(os.tmpdir(), 'coursework-outside-'));
    chmodSync(outside, 0o777);
    rmSync(path.join(home, 'feedback'), { recursive: true });
    symlinkSync(outside, path.join(home, 'feedback'));
    await instructor.releaseFeedback(SYSTEM_STUDENT, 'ps2', { 'report.html': '<p>ps2</p>' }, { deliver: true });
    const refused = await waitForDelivery(instructor, SYSTEM_STUDENT, 'ps2', 'report.html');
    expect(refused.files[0]!.delivery).toMatchObject({
      status: 'refused',
      reason: 'feedback is a symbolic link; nothing is written through it',
    });
    expect(readdirSync(outside)).toEqual([]);
    // The student still gets it through the API.
    const { token } = await hub.issueToken(SYSTEM_STUDENT);
    const mine = await new CourseworkClient({ baseUrl: hub.serviceUrl, token }).myFeedback();
    expect(mine.items.map((i) => i.assignment)).toEqual(['ps1', 'ps2']);
    rmSync(outside, { recursive: true, force: true });
  });

  itAsRoot("puts the seed's report into the home as its owner, never over a file or through a dangling symlink", async () => {
    const { uid, gid } = ids(SYSTEM_STUDENT);
    const home = path.join(hub.homes, SYSTEM_STUDENT);
    const upload = (fileName: string, content: string) => {
      const form = new FormData();
      form.append('STUDENT_ID', SYSTEM_STUDENT);
      form.append('UPLOAD_FILE', new Blob([content]), fileName);
      return fetch(`${hub.serviceUrl}put_student_report`, { method: 'POST', headers: { 'X-Api-Key': tokens.instructor! }, body: form });
    };
    const ok = await upload('Grades (final).html', '<p>A</p>');
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('"Success - File Uploaded - Grades_final.html"\n');
    const stats = lstatSync(path.join(home, 'Grades_final.html'));
    expect([stats.uid, stats.gid]).toEqual([uid, gid]);

    const again = await upload('Grades (final).html', '<p>B</p>');
    expect(again.status).toBe(417);
    expect(readFileSync(path.join(home, 'Grades_final.html'), 'utf8')).toBe('<p>A</p>');

    // A dangling symlink named like the coming report: the seed (as root) created its target; here nothing.
    const target = path.join(os.tmpdir(), `coursework-planted-${process.pid}.html`);
    symlinkSync(target, path.join(home, 'report.html'));
    const planted = await upload('report.html', '<p>C</p>');
    expect(planted.status).toBe(417);
    expect(() => lstatSync(target)).toThrow();
  });
});
