/**
 * The Python client (`import coursework`, in the jupyterlab-coursework package) as users run it: in kernels their
 * own servers start under a real Hub, with nothing configured: the server's own token and COURSEWORK_URL.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type RunningHub, startHub } from '../support/hub';
import { ServerKernel, serverEnvironment } from '../support/servers';

let hub: RunningHub;
const kernels: ServerKernel[] = [];

beforeAll(async () => {
  hub = await startHub();
  const { token } = await hub.issueToken('instructor');
  const created = await fetch(`${hub.serviceUrl}api/v1/assignments`, {
    method: 'POST',
    headers: { Authorization: `token ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: 'hw1', dueAt: new Date(Date.now() + 7 * 86400_000).toISOString() }),
  });
  expect(created.status).toBe(201);
}, 120000);

afterAll(async () => {
  for (const kernel of kernels) kernel.close();
  await hub?.stop();
});

async function kernelOf(user: string): Promise<ServerKernel> {
  const kernel = await ServerKernel.start(hub, user);
  kernels.push(kernel);
  return kernel;
}

interface InstructorRun {
  students: string[];
  job: { state: string; total: number; done: number; name: string };
  zip: string;
  taken: string[];
  listed: string[];
  oneZip: string;
  oneFile: string;
  again: string;
  report: { students: Record<string, { status: string; files: string[] }> };
  statusType: string;
  statusIndex: string[];
  feedbackReleased: Record<string, boolean>;
}

it("runs an instructor's notebook: the class snapshotted with a progress bar, its zip downloaded, a folder of reports released", async () => {
  const kernel = await kernelOf('instructor');
  const environment = serverEnvironment(hub, 'instructor');
  expect(environment.COURSEWORK_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/services\/coursework\/$/);

  const cell = `
import json, pathlib
import coursework
students = [s["name"] for s in coursework.students()]
job = coursework.take_snapshot("from a notebook")
zip_path = coursework.download_class_zip(job["name"], to="zips")
taken = [s["name"] for s in coursework.snapshots("student1")]
listed = [f["path"] for f in coursework.files("student1", job["name"])]
one_zip = coursework.download_zip("student1", job["name"], to="zips")
one_file = coursework.download_file("student1", job["name"], "about-me.md", to="zips")
again = coursework.download_file("student1", job["name"], "about-me.md", to="zips")
for name in ("student1", "student2", "nobody"):
    (pathlib.Path("reports") / name).mkdir(parents=True, exist_ok=True)
    (pathlib.Path("reports") / name / "report.txt").write_text(f"well done {name}")
report = coursework.release_feedback("hw1", "reports")
status = coursework.assignment_status("hw1")
print(json.dumps({
    "students": students,
    "job": {key: job[key] for key in ("state", "total", "done", "name")},
    "zip": str(zip_path),
    "taken": taken,
    "listed": listed,
    "oneZip": str(one_zip),
    "oneFile": str(one_file),
    "again": str(again),
    "report": report,
    "statusType": type(status).__name__,
    "statusIndex": list(status.index),
    "feedbackReleased": status["feedback_released_at"].notna().to_dict(),
}))`;
  const execution = await kernel.run(cell);
  expect(execution.error).toBeUndefined();
  const run = JSON.parse(execution.stdout.trim().split('\n').pop()!) as InstructorRun;

  expect(run.students).toEqual(['student1', 'student2', 'student3']);
  expect(run.job).toMatchObject({ state: 'done', total: run.students.length, done: run.students.length });
  // tqdm's bar reached the end: a widget where ipywidgets is installed (nbgrader brings it), else text on stderr.
  const progress = execution.widgets + execution.stderr;
  expect(progress).toContain(`${run.students.length}/${run.students.length}`);
  expect(progress).toContain('100%');

  // The class zip is in the instructor's home, a folder per student, as the service serves it.
  const zipOnDisk = path.join(hub.homes, 'instructor', 'zips', `${run.job.name}.zip`);
  expect(run.zip).toBe(`zips/${run.job.name}.zip`);
  const entries = execFileSync('unzip', ['-Z1', zipOnDisk], { encoding: 'utf8' }).split('\n');
  for (const student of ['student1', 'student2']) expect(entries.some((entry) => entry.startsWith(`${student}/`))).toBe(true);

  // One student's snapshots, its files, its zip and one file of it, each a new file in the instructor's home.
  expect(run.taken).toContain(run.job.name);
  expect(run.listed).toContain('about-me.md');
  expect([run.oneZip, run.oneFile, run.again]).toEqual([
    `zips/student1_${run.job.name}.zip`,
    'zips/about-me.md',
    'zips/about-me-feedback.md',
  ]);
  const zips = path.join(hub.homes, 'instructor', 'zips');
  expect(
    readFileSync(path.join(zips, `student1_${run.job.name}.zip`))
      .subarray(0, 2)
      .toString(),
  ).toBe('PK');
  const original = readFileSync(path.join(hub.homes, 'student1', 'about-me.md'), 'utf8');
  expect(readFileSync(path.join(zips, 'about-me.md'), 'utf8')).toBe(original);
  expect(readFileSync(path.join(zips, 'about-me-feedback.md'), 'utf8')).toBe(original);

  expect(run.report.students.student1).toMatchObject({ status: 'released', files: ['report.txt'] });
  expect(run.report.students.student2).toMatchObject({ status: 'released' });
  expect(run.report.students.nobody).toMatchObject({ status: 'unknown-student' });
  expect(run.statusType).toBe('DataFrame');
  expect(run.statusIndex).toEqual(expect.arrayContaining(['student1', 'student2']));
  expect(run.feedbackReleased).toMatchObject({ student1: true, student2: true, student3: false });
}, 300000);

interface StudentRun {
  mine: { assignment: string; course: { id: string }; files: { path: string }[] }[];
  first: string;
  second: string;
  assignments: { id: string; dueAt: string; course: { id: string } }[];
  refusals: Record<string, number | null>;
}

it("runs a student's notebook: their feedback listed and downloaded beside their own files, never over them; nothing of others", async () => {
  const home = path.join(hub.homes, 'student1');
  mkdirSync(path.join(home, 'hw1'), { recursive: true });
  writeFileSync(path.join(home, 'hw1', 'report.txt'), 'my own work');
  const kernel = await kernelOf('student1');
  const run = await kernel.json<StudentRun>(`
import json
import coursework
from coursework import CourseworkError
mine = coursework.my_feedback()
first = coursework.download_feedback("hw1")
second = coursework.download_feedback("hw1")
assignments = coursework.my_assignments()
refusals = {}
attempts = {
    "students": lambda: coursework.students(),
    "snapshot": lambda: coursework.take_snapshot("mine", progress=False),
    "another's feedback": lambda: coursework.client()._request("GET", "api/v1/students/student2/feedback/hw1"),
}
for name, attempt in attempts.items():
    try:
        attempt()
        refusals[name] = None
    except CourseworkError as error:
        refusals[name] = error.status
print(json.dumps({"mine": mine, "first": str(first), "second": str(second), "assignments": assignments, "refusals": refusals}))`);

  expect(run.mine).toEqual([expect.objectContaining({ assignment: 'hw1', course: expect.objectContaining({ id: 'demo-101' }) })]);
  expect(run.mine[0]!.files.map((file) => file.path)).toEqual(['report.txt']);
  expect([run.first, run.second]).toEqual(['hw1-feedback', 'hw1-feedback-2']);
  expect(readFileSync(path.join(home, 'hw1', 'report.txt'), 'utf8')).toBe('my own work');
  expect(readFileSync(path.join(home, 'hw1-feedback', 'report.txt'), 'utf8')).toBe('well done student1');
  expect(readFileSync(path.join(home, 'hw1-feedback-2', 'report.txt'), 'utf8')).toBe('well done student1');
  expect(run.assignments).toEqual(
    expect.arrayContaining([expect.objectContaining({ id: 'hw1', course: expect.objectContaining({ id: 'demo-101' }) })]),
  );
  expect(run.refusals).toEqual({ students: 403, snapshot: 403, "another's feedback": 403 });
}, 300000);

it("runs the demo instructor's example notebook from top to bottom, with nbclient in the instructor's server", async () => {
  const { token } = await hub.issueToken('instructor');
  const created = await fetch(`${hub.serviceUrl}api/v1/assignments`, {
    method: 'POST',
    headers: { Authorization: `token ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: 'week-1', dueAt: new Date(Date.now() + 86400_000).toISOString() }),
  });
  expect(created.status).toBe(201);
  const kernel = await kernelOf('instructor');
  const run = await kernel.json<{ errors: string[]; last: string }>(`
import json, nbclient, nbformat
notebook = nbformat.read("coursework-in-a-notebook.ipynb", as_version=4)
nbclient.NotebookClient(notebook, timeout=120, allow_errors=True).execute()
outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
errors = [f"{output.ename}: {output.evalue}" for output in outputs if output.output_type == "error"]
last = notebook.cells[-1].outputs[-1]["data"]["text/plain"]
print(json.dumps({"errors": errors, "last": last}))`);
  expect(run.errors).toEqual([]);
  // The DataFrame of the last cell, one row per student.
  expect(run.last).toMatch(/student1[\s\S]*student2[\s\S]*student3/);
}, 300000);

it('says what to do where the environment has no token', async () => {
  const kernel = await kernelOf('student2');
  const execution = await kernel.run(`
import os
del os.environ["JUPYTERHUB_API_TOKEN"]
import coursework
coursework.my_feedback()`);
  expect(execution.error).toMatch(/^CourseworkError: No JupyterHub token: run this inside JupyterHub .* or pass token=/);
}, 300000);
