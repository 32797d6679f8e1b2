/**
 * nbgrader's own Assignments tab in JupyterLab, with Coursework as its exchange: a student fetches and submits an
 * assignment the instructor released, and the submission is Coursework's (the exchange's list, a snapshot, and the
 * instructor panel's status of the assignment).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { CourseworkClient } from '@coursework/client';
import { expect, logInToLab, test } from './fixtures';
import { runFromPalette } from './coursework-lab';
import { dismissToasts, forgetLayout, showInstructorPanel } from './lab-workspace';

const ASSIGNMENT = 'ui-nb';
const COURSE = 'demo-101';
const NOTEBOOK = JSON.stringify({ cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 });

test.describe("nbgrader's Assignments tab", () => {
  let instructorToken: string;
  const exchange = (hub: { serviceUrl: string }, method: string, route: string, form?: Record<string, string>) =>
    fetch(`${hub.serviceUrl}ngshare${route}`, {
      method,
      headers: { Authorization: `token ${instructorToken}`, ...(form && { 'Content-Type': 'application/x-www-form-urlencoded' }) },
      body: form && new URLSearchParams(form).toString(),
    });

  test.beforeAll(async ({ hub }) => {
    instructorToken = (await hub.issueToken('instructor')).token;
    const files = JSON.stringify([{ path: 'problem.ipynb', content: Buffer.from(NOTEBOOK).toString('base64') }]);
    expect((await exchange(hub, 'POST', `/assignment/${COURSE}/${ASSIGNMENT}`, { files })).status).toBe(200);
    // The same assignment in Coursework, with a due time: the panel shows submissions beside its captures.
    const instructor = new CourseworkClient({ baseUrl: hub.serviceUrl, token: instructorToken });
    const dueAt = new Date(Date.now() + 7 * 86400_000).toISOString();
    await instructor.createAssignment({ id: ASSIGNMENT, title: 'UI notebook', dueAt, snapshotAtDue: false });
  });

  // Later tests count student2's snapshots and files: take back what this one made.
  test.afterAll(async ({ hub }) => {
    await exchange(hub, 'DELETE', `/assignment/${COURSE}/${ASSIGNMENT}`);
    const instructor = new CourseworkClient({ baseUrl: hub.serviceUrl, token: instructorToken });
    await instructor.deleteAssignment(ASSIGNMENT);
    for (const snapshot of await instructor.studentSnapshots('student2')) {
      if (snapshot.name.startsWith(`${ASSIGNMENT}-submission-`)) await instructor.deleteSnapshot('student2', snapshot.name);
    }
    rmSync(path.join(hub.homes, 'student2', ASSIGNMENT), { recursive: true, force: true });
  });

  test.afterEach(async ({ page }) => forgetLayout(page));

  test('a student fetches and submits through Coursework, and the instructor sees the submission', async ({ page, browser, hub }) => {
    await logInToLab(page, hub, 'student2');
    await runFromPalette(page, 'Assignment List');
    const released = page.locator('#released_assignments_list');
    await expect(released.getByText(ASSIGNMENT)).toBeVisible({ timeout: 30_000 });
    await released.locator('.list_item', { hasText: ASSIGNMENT }).getByRole('button', { name: 'Fetch' }).click();

    // Fetched: listed as downloaded (with its notebooks folded under it), ready to submit.
    const submit = page.locator('#fetched_assignments_list').getByRole('button', { name: 'Submit' });
    await expect(submit).toBeVisible({ timeout: 30_000 });
    await submit.click();
    await expect(page.locator('#submitted_assignments_list .list_item', { hasText: ASSIGNMENT }).first()).toBeVisible({ timeout: 30_000 });

    const submissions = (await (await exchange(hub, 'GET', `/submissions/${COURSE}/${ASSIGNMENT}`)).json()) as {
      submissions: { student_id: string; timestamp: string }[];
    };
    expect(submissions.submissions.map((s) => s.student_id)).toEqual(['student2']);
    const instructor = new CourseworkClient({ baseUrl: hub.serviceUrl, token: instructorToken });
    const names = (await instructor.studentSnapshots('student2')).map((s) => s.name);
    expect(names).toContainEqual(expect.stringMatching(new RegExp(`^${ASSIGNMENT}-submission-1_`)));

    const teacher = await browser.newPage();
    await logInToLab(teacher, hub, 'instructor');
    await showInstructorPanel(teacher);
    await dismissToasts(teacher);
    const section = teacher.locator('#coursework-instructor-panel .jp-Coursework-AssignmentsSection');
    await section.getByRole('button', { name: 'UI notebook' }).click();
    const table = section.locator('.jp-Coursework-status-table');
    await expect(table.getByRole('columnheader', { name: 'Submitted' })).toBeVisible();
    await expect(table.getByRole('row', { name: /student2/ })).toContainText(/· 1 file/);
    await expect(table.getByRole('row', { name: /student1/ })).not.toContainText('file');
    await teacher.context().close();
  });
});
