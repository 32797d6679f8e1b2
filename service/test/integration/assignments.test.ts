/**
 * Deadlines under a real JupyterHub: an LMS integration (a Hub service holding the instruct scope) calls the
 * trigger webhook twice and one capture per student results; the student sees the receipt, which matches the
 * snapshot the instructor sees, and the status CSV lists every student.
 */
import { CourseworkClient } from '@coursework/client';
import { type RunningHub, startHub } from '../support/hub';

let hub: RunningHub;
let instructor: CourseworkClient;
let lms: CourseworkClient;

beforeAll(async () => {
  hub = await startHub();
  instructor = new CourseworkClient({ baseUrl: hub.serviceUrl, token: (await hub.issueToken('instructor')).token });
  lms = new CourseworkClient({ baseUrl: hub.serviceUrl, token: hub.lmsToken });
});
afterAll(() => hub?.stop());

it('takes the deadline capture once for an LMS calling twice, with a receipt the student can check', async () => {
  expect((await lms.me()).roles).toEqual(['instructor']);
  await instructor.createAssignment({ id: 'essay', title: 'Essay', dueAt: '2030-05-01T23:59:00Z' });
  expect(await lms.triggerAssignment('essay')).toEqual({ started: ['student1', 'student2', 'student3'], already: [] });
  expect(await lms.triggerAssignment('essay')).toEqual({ started: [], already: ['student1', 'student2', 'student3'] });

  let status = await instructor.assignmentStatus('essay');
  for (let i = 0; i < 100 && !status.students.every((s) => s.status === 'captured'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    status = await instructor.assignmentStatus('essay');
  }
  expect(status.students.map((s) => s.status)).toEqual(['captured', 'captured', 'captured']);
  const snapshots = await instructor.studentSnapshots('student1');
  expect(snapshots.filter((s) => s.name.startsWith('essay'))).toHaveLength(1);

  const student = new CourseworkClient({ baseUrl: hub.serviceUrl, token: (await hub.issueToken('student1')).token });
  const [mine] = await student.myAssignments();
  const receipt = status.students[0]!.receipt!;
  expect(mine).toMatchObject({ id: 'essay', status: 'captured', receipt });
  const snapshot = snapshots.find((s) => s.name === receipt.snapshot)!;
  expect(snapshot).toMatchObject({ manifestSha256: receipt.manifestSha256, files: receipt.files, bytes: receipt.bytes });

  // A student cannot trigger, read the status, or grant themselves time.
  await expect(student.triggerAssignment('essay')).rejects.toMatchObject({ status: 403 });
  await expect(student.assignmentStatus('essay')).rejects.toMatchObject({ status: 403 });
  await expect(student.grantExtension('essay', 'student1', '2031-01-01T00:00:00Z')).rejects.toMatchObject({ status: 403 });

  const csv = await (
    await fetch(instructor.assignmentStatusCsvUrl('essay'), {
      headers: { Authorization: `token ${(await hub.issueToken('instructor')).token}` },
    })
  ).text();
  expect(
    csv
      .trimEnd()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(',')[0]),
  ).toEqual(['student1', 'student2', 'student3']);
});
