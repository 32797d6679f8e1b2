/**
 * Snapshots end to end: a real Hub starts the service, real homes on disk (one of them hostile), and every byte
 * that comes back is compared with the home it was taken from.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync, openSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CourseworkClient, CourseworkError, type Job } from '@coursework/client';
import { REPO, type RunningHub, startHub } from '../support/hub';
import { expectMatchesContract } from '../support/openapi-validator';

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const today = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
const NAME = `assignment-1_${today}`;

let hub: RunningHub;
let instructor: CourseworkClient;
let instructorToken: string;
let studentToken: string;

/** Every file in a zip, by name, read with Python's zipfile (an independent implementation). */
function unzip(zip: Buffer): Record<string, Buffer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coursework-zip-'));
  const file = path.join(dir, 'archive.zip');
  writeFileSync(file, zip);
  const listing = execFileSync(path.join(REPO, '.venv', 'bin', 'python'), [
    '-c',
    'import json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(json.dumps({n: z.read(n).hex() for n in z.namelist()}))',
    file,
  ]);
  const entries = JSON.parse(listing.toString()) as Record<string, string>;
  return Object.fromEntries(Object.entries(entries).map(([name, hex]) => [name, Buffer.from(hex, 'hex')]));
}

function blobCount(): number {
  let count = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name));
      else if (!entry.name.startsWith('.tmp-')) count++;
    }
  };
  walk(path.join(hub.dir, 'data', 'blobs'));
  return count;
}

const get = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, { headers: { Authorization: `token ${instructorToken}`, ...headers } });
const home = (student: string, file: string) => readFileSync(path.join(hub.homes, student, file));

async function snapshotAndWait(
  client: CourseworkClient,
  request: { name: string; students?: string[]; includeHidden?: boolean },
): Promise<Job> {
  const { job } = await client.snapshot(request);
  return client.waitForJob(job.id, { intervalMs: 100, timeoutMs: 30000 });
}

beforeAll(async () => {
  hub = await startHub();
  // student3's home is hostile.
  const s3 = path.join(hub.homes, 'student3');
  symlinkSync('/etc/passwd', path.join(s3, 'passwords.txt'));
  symlinkSync(path.join(hub.homes, 'student1'), path.join(s3, 'friend'));
  symlinkSync(path.join(s3, 'gone'), path.join(s3, 'dangling.ipynb'));
  execFileSync('mkfifo', [path.join(s3, 'pipe')]);
  const huge = path.join(s3, 'huge.bin');
  closeSync(openSync(huge, 'w'));
  truncateSync(huge, 200 * 1024 * 1024); // sparse: over the 100M cap without using the disk
  writeFileSync(path.join(s3, 'my notes é 作业.txt'), 'unicode name');
  writeFileSync(path.join(s3, 'new\nline.txt'), 'newline in the name');
  writeFileSync(path.join(s3, '__init__.py'), '');
  instructorToken = (await hub.issueToken('instructor')).token;
  studentToken = (await hub.issueToken('student2')).token;
  instructor = new CourseworkClient({ baseUrl: hub.serviceUrl, token: instructorToken });
});

afterAll(() => hub?.stop());

describe('a whole-course snapshot', () => {
  let job: Job;

  beforeAll(async () => {
    const response = await fetch(`${hub.serviceUrl}api/v1/snapshots`, {
      method: 'POST',
      headers: { Authorization: `token ${instructorToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Assignment 1!' }),
    });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { job: Job };
    expectMatchesContract('createSnapshots', 202, body);
    expect(response.headers.get('location')).toBe(`/services/coursework/api/v1/jobs/${body.job.id}`);
    job = await instructor.waitForJob(body.job.id, { intervalMs: 100, timeoutMs: 30000 });
  });

  it('finishes with every student taken, under the seed naming', async () => {
    expectMatchesContract('getJob', 200, job);
    expect(job).toMatchObject({ state: 'done', name: NAME, total: 3, done: 3 });
    for (const student of ['student1', 'student2', 'student3']) expect(job.students[student]!.status).toBe('taken');
    const listed = await instructor.studentSnapshots('student1');
    expect(listed.map((s) => s.name)).toEqual([NAME]);
  });

  it('serves every file byte for byte, with its type, name and hash', async () => {
    const files = await instructor.snapshotFiles('student1', NAME, { limit: 200 });
    expect(files.map((f) => f.path).sort()).toEqual(
      [
        'README.md',
        'about-me.md',
        'assignment-1.ipynb',
        'assignment-2.ipynb',
        'data/temperatures.csv',
        'practice/practice-1.ipynb',
        'practice/practice-2.ipynb',
      ].sort(),
    );
    for (const file of files) {
      const response = await get(instructor.snapshotFileUrl('student1', NAME, file.path));
      expect(response.status).toBe(200);
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(bytes.equals(home('student1', file.path))).toBe(true);
      // fetch asks for gzip and decodes it; the gzip answer has an ETag of its own.
      expect(response.headers.get('etag')).toMatch(new RegExp(`^"${sha(bytes)}(-gzip)?"$`));
      expect(response.headers.get('content-disposition')).toContain(`filename="${path.basename(file.path)}"`);
    }
    const notebook = await get(instructor.snapshotFileUrl('student1', NAME, 'assignment-1.ipynb'), { 'Accept-Encoding': 'identity' });
    expect(notebook.headers.get('etag')).toBe(`"${sha(home('student1', 'assignment-1.ipynb'))}"`);
    expect(notebook.headers.get('content-type')).toBe('application/x-ipynb+json');
    const gzipped = await get(instructor.snapshotFileUrl('student1', NAME, 'assignment-1.ipynb'), { 'Accept-Encoding': 'gzip' });
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect(Buffer.from(await gzipped.arrayBuffer()).equals(home('student1', 'assignment-1.ipynb'))).toBe(true);
    expect(notebook.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers byte ranges and conditional requests', async () => {
    const url = instructor.snapshotFileUrl('student1', NAME, 'assignment-1.ipynb');
    const whole = home('student1', 'assignment-1.ipynb');
    const partial = await get(url, { Range: 'bytes=10-49' });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe(`bytes 10-49/${whole.length}`);
    expect(Buffer.from(await partial.arrayBuffer()).equals(whole.subarray(10, 50))).toBe(true);
    const notModified = await get(url, { 'If-None-Match': `"${sha(whole)}"` });
    expect(notModified.status).toBe(304);
    expect((await get(url, { Range: `bytes=${whole.length + 5}-` })).status).toBe(416);
  });

  it('zips one snapshot, and one name across the course, with the bytes of the homes', async () => {
    const single = await get(instructor.snapshotZipUrl('student2', NAME));
    expect(single.headers.get('content-disposition')).toContain(`filename="student2_${NAME}.zip"`);
    const entries = unzip(Buffer.from(await single.arrayBuffer()));
    expect(Object.keys(entries).length).toBe(7);
    for (const [name, bytes] of Object.entries(entries)) expect(bytes.equals(home('student2', name))).toBe(true);

    const course = await get(instructor.courseZipUrl(NAME));
    expect(course.headers.get('content-disposition')).toContain(`filename="${NAME}.zip"`);
    const all = unzip(Buffer.from(await course.arrayBuffer()));
    for (const [name, bytes] of Object.entries(all)) {
      const [student, ...rest] = name.split('/');
      expect(bytes.equals(home(student!, rest.join('/')))).toBe(true);
    }
    expect(new Set(Object.keys(all).map((n) => n.split('/')[0]))).toEqual(new Set(['student1', 'student2', 'student3']));
    const some = unzip(Buffer.from(await (await get(instructor.courseZipUrl(NAME, ['student1']))).arrayBuffer()));
    expect(Object.keys(some).every((n) => n.startsWith('student1/'))).toBe(true);
  });

  it('keeps a hostile home from escaping, hanging or failing the snapshot', async () => {
    const detail = await instructor.studentSnapshot('student3', NAME);
    expectMatchesContract('getStudentSnapshot', 200, detail);
    const files = await instructor.snapshotFiles('student3', NAME, { limit: 200 });
    const byPath = Object.fromEntries(files.map((f) => [f.path, f]));
    for (const link of ['passwords.txt', 'friend', 'dangling.ipynb']) expect(byPath[link]).toMatchObject({ type: 'symlink', sha256: null });
    expect(files.map((f) => f.sha256)).not.toContain(sha(readFileSync('/etc/passwd')));
    expect(detail.skipped).toEqual(
      expect.arrayContaining([
        { path: 'pipe', reason: 'fifo' },
        { path: 'huge.bin', reason: 'over-file-cap' },
        { path: 'new\nline.txt', reason: 'unusable-name' },
      ]),
    );
    expect((await get(instructor.snapshotFileUrl('student3', NAME, 'passwords.txt'))).status).toBe(404);
    const unicode = await get(instructor.snapshotFileUrl('student3', NAME, 'my notes é 作业.txt'));
    expect(await unicode.text()).toBe('unicode name');
    expect(unicode.headers.get('content-disposition')).toContain("filename*=UTF-8''my%20notes%20%C3%A9%20%E4%BD%9C%E4%B8%9A.txt");
    // An empty file is served, and zipped, as empty.
    const empty = await get(instructor.snapshotFileUrl('student3', NAME, '__init__.py'));
    expect(empty.status).toBe(200);
    expect((await empty.arrayBuffer()).byteLength).toBe(0);
    const zip = unzip(Buffer.from(await (await get(instructor.snapshotZipUrl('student3', NAME))).arrayBuffer()));
    expect(Object.keys(zip)).not.toContain('passwords.txt');
    expect(zip['__init__.py']).toEqual(Buffer.alloc(0));
    expect(zip['my notes é 作业.txt']!.toString()).toBe('unicode name');
  });

  it('refuses path tricks in every parameter', async () => {
    const base = `${hub.serviceUrl}api/v1/students`;
    const cases: [string, number][] = [
      [`${base}/..%2F..%2Fetc/snapshots`, 400],
      [`${base}/student1%2F..%2Fstudent2/snapshots/${NAME}`, 400],
      [`${base}/student1/snapshots/..%2F..%2F${NAME}`, 400],
      [`${base}/student1/snapshots/%2E%2E`, 404], // the URL parser resolves it before sending: no such route
      [`${base}/student1/snapshots/${NAME}/files/..%2F..%2F..%2Fetc%2Fpasswd`, 404],
      [`${base}/student1/snapshots/${NAME}/files/%2Fetc%2Fpasswd`, 404],
      [`${base}/student1/snapshots/${NAME}/files/../../student2/assignment-1.ipynb`, 404],
      [`${base}/student1/snapshots/${NAME}/files/.%2E/.%2E/student2/assignment-1.ipynb`, 404],
      [`${hub.serviceUrl}api/v1/snapshots/${NAME}/zip?students=..%2Fstudent2`, 400],
      [`${hub.serviceUrl}api/v1/snapshots/..%2F${NAME}/zip`, 400],
    ];
    for (const [url, status] of cases) {
      const response = await get(url);
      expect({ url, status: response.status }).toEqual({ url, status });
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    }
  });

  it('refuses a student, even one asking for their own, while student access is off', async () => {
    const student = new CourseworkClient({ baseUrl: hub.serviceUrl, token: studentToken });
    await expect(student.studentSnapshots('student1')).rejects.toBeInstanceOf(CourseworkError);
    await expect(student.studentSnapshots('student1')).rejects.toMatchObject({ status: 403 });
    await expect(student.studentSnapshots('student2')).rejects.toMatchObject({ status: 403 });
    const file = await fetch(instructor.snapshotFileUrl('student1', NAME, 'assignment-1.ipynb'), {
      headers: { Authorization: `token ${studentToken}` },
    });
    expect(file.status).toBe(403);
    await expect(student.snapshot({ name: 'mine' })).rejects.toMatchObject({ status: 403 });
  });
});

describe('taking a name again', () => {
  it('stores no new bytes for unchanged homes', async () => {
    const before = blobCount();
    const job = await snapshotAndWait(instructor, { name: 'assignment-1 again' });
    expect(Object.values(job.students).map((s) => s.status)).toEqual(['taken', 'taken', 'taken']);
    expect(blobCount()).toBe(before);
  });

  it('reports students who already have the name that day, and never overwrites them', async () => {
    writeFileSync(path.join(hub.homes, 'student1', 'assignment-1.ipynb'), '{"cells": ["changed later"]}');
    const job = await snapshotAndWait(instructor, { name: 'Assignment 1!', students: ['student1', 'nobody'] });
    expect(job.students).toEqual({ student1: { status: 'exists' }, nobody: { status: 'not-a-student' } });
    const first = await get(instructor.snapshotFileUrl('student1', NAME, 'assignment-1.ipynb'));
    expect(await first.text()).not.toContain('changed later');
  });

  it('refuses bad names with a clear message', async () => {
    for (const name of ['', '../etc', 'a/b', '!!!', 'x'.repeat(101)]) {
      await expect(instructor.snapshot({ name })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/^Bad name: /) });
    }
  });
});

describe('deleting a snapshot', () => {
  it('answers 410 afterwards, 404 for one that never was', async () => {
    const name = `assignment-1-again_${today}`;
    await instructor.deleteSnapshot('student2', name);
    await expect(instructor.studentSnapshot('student2', name)).rejects.toMatchObject({ status: 410 });
    expect((await get(instructor.snapshotFileUrl('student2', name, 'README.md'))).status).toBe(410);
    await expect(instructor.studentSnapshot('student2', `never_${today}`)).rejects.toMatchObject({ status: 404 });
    expect((await instructor.studentSnapshots('student2')).map((s) => s.name)).toEqual([NAME]);
  });
});

describe('reading a job with a wait', () => {
  it('answers once the job is done, instead of being polled', async () => {
    const { job } = await instructor.snapshot({ name: 'long poll', students: ['student1'] });
    const read = await get(`${hub.serviceUrl}api/v1/jobs/${job.id}?wait=30`);
    expect(read.status).toBe(200);
    const body = (await read.json()) as Job;
    expectMatchesContract('getJob', 200, body);
    expect(body).toMatchObject({ state: 'done', done: 1, students: { student1: { status: 'taken' } } });
    // A finished job answers at once, whatever the wait.
    expect((await instructor.job(job.id, { waitSeconds: 60 })).state).toBe('done');
  });

  it('refuses a wait that is not a whole number of seconds up to a minute', async () => {
    const { job } = await instructor.snapshot({ name: 'long poll', students: ['student1'] });
    for (const wait of ['abc', '-1', '61', '1.5', '']) {
      const read = await get(`${hub.serviceUrl}api/v1/jobs/${job.id}?wait=${encodeURIComponent(wait)}`);
      expect(read.status).toBe(400);
      expect(await read.json()).toMatchObject({ message: 'wait must be a whole number of seconds from 0 to 60' });
    }
  });
});

describe('a download whose bytes are lost on disk', () => {
  /** A snapshot of student1 with `lost.txt` in it, whose blob is then removed from the store. */
  async function snapshotLosingAFile(name: string): Promise<string> {
    const lost = `lost ${Date.now()} ${Math.random()}`;
    writeFileSync(path.join(hub.homes, 'student1', 'lost.txt'), lost);
    const job = await snapshotAndWait(instructor, { name, students: ['student1'] });
    expect(job.students.student1!.status).toBe('taken');
    const blob = sha(Buffer.from(lost));
    rmSync(path.join(hub.dir, 'data', 'blobs', blob.slice(0, 2), blob));
    rmSync(path.join(hub.homes, 'student1', 'lost.txt'));
    return job.name;
  }

  it('is refused with a clear error when the lost file is among the zip’s first bytes, before anything is sent', async () => {
    const name = await snapshotLosingAFile('lost early');
    const response = await get(instructor.snapshotZipUrl('student1', name));
    expect(response.status).toBe(500);
    expect(response.headers.get('content-disposition')).toBeNull();
    expect(await response.json()).toMatchObject({ message: expect.stringContaining('The stored copy of this file is missing') });
  });

  it('breaks off, once the answer has begun, instead of leaving the client waiting for the rest', async () => {
    // A large file before the lost one: the zip's answer has started when the lost file's turn comes.
    const large = path.join(hub.homes, 'student1', 'a-large.bin');
    writeFileSync(large, randomBytes(1_500_000));
    const name = await snapshotLosingAFile('lost late');
    rmSync(large);
    // Asked of the service itself: configurable-http-proxy does not pass a broken-off answer on to its client.
    const service = (await (
      await fetch(`${hub.url}/hub/api/services/coursework`, { headers: { Authorization: `token ${hub.adminToken}` } })
    ).json()) as { url: string };
    const response = await get(`${service.url}/services/coursework/api/v1/students/student1/snapshots/${name}/zip`);
    expect(response.status).toBe(200);
    const waited = new Promise((resolve) => setTimeout(() => resolve('still waiting'), 10_000));
    await expect(Promise.race([response.arrayBuffer(), waited])).rejects.toThrow('terminated');
  });
});
