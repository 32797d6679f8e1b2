/**
 * The seed API (jupyter-canvas-api) as its users call it: the curl commands of its README, run as written but
 * for host and prefix, against the service under a real Hub; then its error contract and its flaws, checked to
 * be gone.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CourseworkClient } from '@coursework/client';
import { REPO, type RunningHub, startHub } from '../support/hub';

const README_HOST = 'https://api.example.com:5000/';
const CANVAS_ID = '31387714';
const API_KEY = '12345';
const today = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

let hub: RunningHub;
let workDir: string;

interface CurlResult {
  status: number;
  body: Buffer;
  headers: string;
  /** Where the command ran: `-OJ` saves there under the server's file name. */
  dir: string;
}

/** Runs a README command line: curl with its arguments, the README's host replaced by the service's URL. */
function curl(commandLine: string, files: Record<string, string> = {}): CurlResult {
  const args = (commandLine.match(/"[^"]*"|\S+/g) ?? []).map((arg) => arg.replace(/^"|"$/g, ''));
  expect(args[0]).toBe('curl');
  const url = args.pop()!.replace(README_HOST, hub.serviceUrl);
  const dir = mkdtempSync(path.join(workDir, 'run-'));
  // Files the command uploads (`-F "X=@name"`), in the folder it runs in.
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  const headersFile = path.join(workDir, 'headers.txt');
  const bodyFile = path.join(workDir, 'body.bin');
  // -OJ saves under the server's name: keep that, and also capture the body for the assertions.
  const saving = args.includes('-OJ');
  const curlArgs = [...args.slice(1).filter((a) => a !== '-OJ'), '-s', '-D', headersFile, '-o', bodyFile, '-w', '%{http_code}', url];
  const status = Number(execFileSync('curl', curlArgs, { cwd: dir }).toString());
  if (saving) execFileSync('curl', [...args.slice(1), '-s', url], { cwd: dir });
  return { status, body: readFileSync(bodyFile), headers: readFileSync(headersFile, 'utf8'), dir };
}

const json = (result: CurlResult) => JSON.parse(result.body.toString()) as unknown;

beforeAll(async () => {
  hub = await startHub({ env: { COURSEWORK_COMPAT_API_KEY: API_KEY } });
  workDir = mkdtempSync(path.join(os.tmpdir(), 'coursework-curl-'));
  // The README's student, a Canvas id, as a Hub user in the students group, with a home like the others'.
  expect((await hub.api('POST', `/users/${CANVAS_ID}`)).status).toBe(201);
  expect((await hub.api('POST', '/groups/students/users', { users: [CANVAS_ID] })).status).toBe(200);
  const home = path.join(hub.homes, CANVAS_ID);
  execFileSync('cp', ['-r', path.join(hub.homes, 'student1'), home]);
  writeFileSync(path.join(home, 'assignment-1-grades.html'), '<p>graded</p>');
});

afterAll(() => hub?.stop());

describe('the seed README, command by command', () => {
  it("creates snapshots: /snapshot and /snapshot_all (with the README's STUDENT_NAME)", async () => {
    const one = curl(`curl -X POST -H "X-Api-Key: 12345" -F "STUDENT_ID=31387714" -F "SNAPSHOT_NAME=Assignment-1" ${README_HOST}snapshot`);
    expect(one.status).toBe(200);
    expect(json(one)).toBe(`Success - Snapshot Created - assignment-1_${today} for Student: 31387714`);
    const again = curl(
      `curl -X POST -H "X-Api-Key: 12345" -d "STUDENT_ID=31387714" -d "SNAPSHOT_NAME=Assignment-1" ${README_HOST}snapshot`,
    );
    expect(again.status).toBe(404);
    expect(again.body.toString()).toBe(
      '{"error":"Already Exists - Snapshot Name Already Exists","message":"Already Exists - Student Snapshot Already Exists.","status":404}\n',
    );

    const all = curl(`curl -X POST -H "X-Api-Key: 12345" -F "STUDENT_NAME=assignment-1-all" ${README_HOST}snapshot_all`);
    expect(all.status).toBe(200);
    expect(json(all)).toMatch(new RegExp(`^Success - Snapshot Created - assignment-1-all_${today} for All Students`));
    const instructor = new CourseworkClient({ baseUrl: hub.serviceUrl, token: (await hub.issueToken('instructor')).token });
    const jobId = /job ([0-9a-f-]{36})/.exec(json(all) as string)![1]!;
    const job = await instructor.waitForJob(jobId, { intervalMs: 100, timeoutMs: 30000 });
    expect(Object.keys(job.students).sort()).toEqual([CANVAS_ID, 'student1', 'student2', 'student3']);
    expect(Object.values(job.students).every((s) => s.status === 'taken')).toBe(true);
    const twice = curl(`curl -X POST -H "X-Api-Key: 12345" -d "STUDENT_NAME=assignment-1-all" ${README_HOST}snapshot_all`);
    expect(twice.status).toBe(404);
    expect(json(twice)).toMatchObject({ error: 'Already Exists - Snapshot Name Already Exists' });

    // The README's reading examples name snapshots of 2021-09-09: give today's that date, as if taken then.
    const catalog = hub.openCatalog();
    await catalog.updateTable('snapshots').set({ name: 'assignment-1_2021-09-09' }).where('name', '=', `assignment-1_${today}`).execute();
    await catalog.destroy();
  });

  it.each([
    `curl -H "X-Api-Key: 12345" --data "STUDENT_ID=31387714" ${README_HOST}get_snapshot_list`,
    `curl -H "X-Api-Key: 12345" -d "STUDENT_ID=31387714" ${README_HOST}get_snapshot_list`,
    `curl -H "X-Api-Key: 12345" -F "STUDENT_ID=31387714" ${README_HOST}get_snapshot_list`,
  ])('%s', (command) => {
    const result = curl(command);
    expect(result.status).toBe(200);
    expect((json(result) as string[]).sort()).toEqual(['assignment-1-all_' + today, 'assignment-1_2021-09-09'].sort());
  });

  it.each([
    `curl -H "X-Api-Key: 12345" --data "STUDENT_ID=31387714&SNAPSHOT_NAME=assignment-1_2021-09-09" ${README_HOST}get_snapshot_file_list`,
    `curl -H "X-Api-Key: 12345" -d "STUDENT_ID=31387714" -d "SNAPSHOT_NAME=assignment-1_2021-09-09" ${README_HOST}get_snapshot_file_list`,
    `curl -H "X-Api-Key: 12345" -F "STUDENT_ID=31387714" -F "SNAPSHOT_NAME=assignment-1_2021-09-09" ${README_HOST}get_snapshot_file_list`,
  ])('%s', (command) => {
    const result = curl(command);
    expect(result.status).toBe(200);
    expect(json(result)).toEqual(expect.arrayContaining(['assignment-1.ipynb', 'practice/practice-1.ipynb', 'assignment-1-grades.html']));
  });

  it.each([
    `curl -OJ -H "X-Api-Key: 12345" --data "STUDENT_ID=31387714&SNAPSHOT_NAME=assignment-1_2021-09-09" ${README_HOST}get_snapshot_zip`,
    `curl -OJ -H "X-Api-Key: 12345" -d "STUDENT_ID=31387714" -d "SNAPSHOT_NAME=assignment-1_2021-09-09" ${README_HOST}get_snapshot_zip`,
    `curl -OJ -H "X-Api-Key: 12345" -F "STUDENT_ID=31387714" -F "SNAPSHOT_NAME=assignment-1_2021-09-09" ${README_HOST}get_snapshot_zip`,
  ])('%s', (command) => {
    const result = curl(command);
    expect(result.status).toBe(200);
    expect(result.headers).toMatch(/content-type: application\/zip/i);
    // curl -OJ saved it under the seed's download name; unzip checks it and lists the seed's layout.
    const saved = path.join(result.dir, '31387714_assignment-1_2021-09-09.zip');
    const listing = execFileSync(path.join(REPO, '.venv', 'bin', 'python'), ['-m', 'zipfile', '-l', saved]).toString();
    expect(listing).toContain('31387714/assignment-1_2021-09-09/practice/practice-1.ipynb');
    const bytes = execFileSync('unzip', ['-p', saved, '31387714/assignment-1_2021-09-09/assignment-1.ipynb']);
    expect(bytes.equals(readFileSync(path.join(hub.homes, CANVAS_ID, 'assignment-1.ipynb')))).toBe(true);
  });

  it.each([
    `curl -OJ -H "X-Api-Key: 12345" -d "STUDENT_ID=31387714" -d "SNAPSHOT_NAME=12-08-2021" -d "SNAPSHOT_FILENAME=practice/practice-1.ipynb" ${README_HOST}get_snapshot_file`,
    `curl -OJ -H "X-Api-Key: 12345" -F "STUDENT_ID=31387714" -F "SNAPSHOT_NAME=12-08-2021" -F "SNAPSHOT_FILENAME=practice/practice-1.ipynb" ${README_HOST}get_snapshot_file`,
  ])('%s (a snapshot name that never existed)', (command) => {
    const result = curl(command);
    expect(result.status).toBe(404);
    expect(result.body.toString()).toBe(
      '{"error":"Not Found - Snapshot was Not Found","message":"Not Found - Snapshot Not Found.","status":404}\n',
    );
  });

  it("uploads a report into the student's home (put_student_report), never over an existing file", () => {
    const command = `curl -X POST -H "X-Api-Key: 12345" -F "STUDENT_ID=31387714" -F "UPLOAD_FILE=@assignment-1-grades.html" ${README_HOST}put_student_report`;
    const report = '<html><body>Grade: A</body></html>';
    // The home already holds an assignment-1-grades.html (the README's snapshot lists one): it is never replaced.
    const home = path.join(hub.homes, CANVAS_ID);
    const exists = curl(command, { 'assignment-1-grades.html': report });
    expect(exists.status).toBe(417);
    expect(json(exists)).toMatchObject({ error: 'Expectation Failed - Uploaded File Already Exists', status: 417 });
    expect(exists.body.toString()).not.toContain(hub.dir);
    expect(readFileSync(path.join(home, 'assignment-1-grades.html'), 'utf8')).toBe('<p>graded</p>');
    // Once the student has moved theirs away, the README's command succeeds with its message.
    renameSync(path.join(home, 'assignment-1-grades.html'), path.join(home, 'assignment-1-grades.old.html'));
    const uploaded = curl(command, { 'assignment-1-grades.html': report });
    expect(uploaded.status).toBe(200);
    expect(json(uploaded)).toBe('Success - File Uploaded - assignment-1-grades.html');
    expect(readFileSync(path.join(home, 'assignment-1-grades.html'), 'utf8')).toBe(report);
    expect(statSync(path.join(home, 'assignment-1-grades.html')).uid).toBe(statSync(home).uid);
  });

  it('refuses report types the seed did not allow, and names without a name, with its codes', async () => {
    const upload = async (fileName: string) => {
      const form = new FormData();
      form.append('STUDENT_ID', CANVAS_ID);
      form.append('UPLOAD_FILE', new Blob(['x']), fileName);
      return fetch(`${hub.serviceUrl}put_student_report`, { method: 'POST', headers: { 'X-Api-Key': API_KEY }, body: form });
    };
    const script = await upload('run.sh');
    expect(script.status).toBe(417);
    expect(await script.json()).toEqual({
      error: 'Expectation Failed - Invalid Uploaded File Type',
      message: 'Expectation Failed - Invalid Uploaded File Type. Allowed types: htm, html, ipynb, txt.',
      status: 417,
    });
    const nameless = await upload('../../..');
    expect(nameless.status).toBe(406);
    expect(await nameless.json()).toMatchObject({ message: 'Not Acceptable - Missing File Name Value.' });
    const noStudent = await fetch(`${hub.serviceUrl}put_student_report`, {
      method: 'POST',
      headers: { 'X-Api-Key': API_KEY },
      body: new FormData(),
    });
    expect(noStudent.status).toBe(406);
    const traversal = new FormData();
    traversal.append('STUDENT_ID', '../secret');
    traversal.append('UPLOAD_FILE', new Blob(['x']), 'planted.txt');
    const planted = await fetch(`${hub.serviceUrl}put_student_report`, {
      method: 'POST',
      headers: { 'X-Api-Key': API_KEY },
      body: traversal,
    });
    expect(planted.status).toBe(404);
  });

  it('downloads one file of a snapshot under its own name', () => {
    const result = curl(
      `curl -OJ -H "X-Api-Key: 12345" -d "STUDENT_ID=31387714" -d "SNAPSHOT_NAME=assignment-1_2021-09-09" -d "SNAPSHOT_FILENAME=practice/practice-1.ipynb" ${README_HOST}get_snapshot_file`,
    );
    expect(result.status).toBe(200);
    expect(result.headers).toMatch(/content-type: application\/x-ipynb\+json/i);
    expect(
      readFileSync(path.join(result.dir, 'practice-1.ipynb')).equals(
        readFileSync(path.join(hub.homes, CANVAS_ID, 'practice', 'practice-1.ipynb')),
      ),
    ).toBe(true);
  });

  it('zips a whole course as <SNAPSHOT_NAME>.zip, one folder per student', () => {
    const result = curl(`curl -OJ -H "X-Api-Key: 12345" -d "SNAPSHOT_NAME=assignment-1-all_${today}" ${README_HOST}get_snapshot_zip`);
    expect(result.status).toBe(200);
    const listing = execFileSync('unzip', ['-l', path.join(result.dir, `assignment-1-all_${today}.zip`)]).toString();
    for (const student of [CANVAS_ID, 'student1', 'student2', 'student3']) expect(listing).toContain(`${student}/assignment-1.ipynb`);
  });
});

describe('the seed contract without its flaws', () => {
  const post = (endpoint: string, form: Record<string, string>, key = API_KEY) =>
    fetch(`${hub.serviceUrl}${endpoint}`, {
      method: 'POST',
      headers: { 'X-Api-Key': key, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(10000),
    });

  it('answers 401 in its shape for a wrong key, a student token, and no key', async () => {
    const studentToken = (await hub.issueToken('student1')).token;
    for (const key of ['wrong-key', studentToken, '']) {
      const response = await post('get_snapshot_list', { STUDENT_ID: CANVAS_ID }, key);
      expect(response.status).toBe(401);
      expect(await response.text()).toBe(
        '{"error":"Not Authorized","message":"You are Not authorized to access the URL requested.","status":401}\n',
      );
    }
  });

  it('accepts an instructor Hub token in X-Api-Key', async () => {
    const token = (await hub.issueToken('instructor')).token;
    expect((await post('get_snapshot_list', { STUDENT_ID: CANVAS_ID }, token)).status).toBe(200);
  });

  it('answers 406 for missing fields, with its messages', async () => {
    const response = await post('get_snapshot_file', { STUDENT_ID: CANVAS_ID });
    expect(response.status).toBe(406);
    expect(await response.json()).toEqual({
      error: 'Not Acceptable - Missing Data',
      message: 'Not Acceptable - Missing SNAPSHOT_NAME Post Value.',
      status: 406,
    });
  });

  it('never reads outside a snapshot, never hangs on a "/" in an id, never names a server path', async () => {
    const attempts: [string, Record<string, string>][] = [
      ['get_snapshot_file', { STUDENT_ID: '..', SNAPSHOT_NAME: 'secret', SNAPSHOT_FILENAME: 'flag.txt' }],
      ['get_snapshot_file', { STUDENT_ID: '../../..', SNAPSHOT_NAME: 'etc', SNAPSHOT_FILENAME: 'passwd' }],
      [
        'get_snapshot_file',
        { STUDENT_ID: CANVAS_ID, SNAPSHOT_NAME: 'assignment-1_2021-09-09', SNAPSHOT_FILENAME: '../../../../etc/passwd' },
      ],
      ['get_snapshot_file_list', { STUDENT_ID: '..', SNAPSHOT_NAME: 'homes' }],
      ['get_snapshot_list', { STUDENT_ID: `${CANVAS_ID}/sub` }],
      ['snapshot', { STUDENT_ID: `${CANVAS_ID}/sub`, SNAPSHOT_NAME: 'x' }],
      ['snapshot', { STUDENT_ID: '..', SNAPSHOT_NAME: 'everything' }],
    ];
    for (const [endpoint, form] of attempts) {
      const response = await post(endpoint, form);
      expect({ endpoint, form, status: response.status }).toEqual({ endpoint, form, status: 404 });
      const text = await response.text();
      expect(text).not.toContain(hub.dir);
      expect(text).not.toContain('root:');
    }
  });

  it('keeps a student symlink and a dangling link out of the zip instead of failing it', async () => {
    const home = path.join(hub.homes, 'student2');
    mkdirSync(path.join(home, 'links'), { recursive: true });
    symlinkSync('/etc/passwd', path.join(home, 'links', 'leak.txt'));
    symlinkSync(path.join(home, 'nowhere'), path.join(home, 'links', 'dangling.html'));
    const taken = await post('snapshot', { STUDENT_ID: 'student2', SNAPSHOT_NAME: 'with links' });
    expect(taken.status).toBe(200);
    const zip = await post('get_snapshot_zip', { STUDENT_ID: 'student2', SNAPSHOT_NAME: `with-links_${today}` });
    expect(zip.status).toBe(200);
    const file = path.join(workDir, 'links.zip');
    writeFileSync(file, Buffer.from(await zip.arrayBuffer()));
    const listing = execFileSync('unzip', ['-l', file]).toString();
    expect(listing).toContain('student2/with-links_');
    expect(listing).not.toContain('leak.txt');
    expect(listing).not.toContain('dangling.html');
  });

  it('leaves hidden files out unless INCLUDE_HIDDEN=true', async () => {
    const list = async (name: string) =>
      (await (await post('get_snapshot_file_list', { STUDENT_ID: 'student3', SNAPSHOT_NAME: `${name}_${today}` })).json()) as string[];
    await post('snapshot', { STUDENT_ID: 'student3', SNAPSHOT_NAME: 'plain' });
    await post('snapshot', { STUDENT_ID: 'student3', SNAPSHOT_NAME: 'hidden too', INCLUDE_HIDDEN: 'TRUE' });
    expect((await list('plain')).some((p) => p.startsWith('.'))).toBe(false);
    expect(await list('hidden-too')).toContain('.bash_history_demo');
  });
});
