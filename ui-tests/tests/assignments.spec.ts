import type { Page } from '@playwright/test';
import { CourseworkClient } from '@coursework/client';
import type { RunningHub } from '../../service/test/support/hub';
import { keepScreenshot } from './coursework-lab';
import { expect, logInToLab, test } from './fixtures';
import { dismissToasts, forgetLayout, showInstructorPanel } from './lab-workspace';

/** A datetime-local value `minutes` from now, in the browser's own zone (as a person would type it). */
function localInput(page: Page, minutes: number): Promise<string> {
  return page.evaluate((offset) => {
    const date = new Date(Date.now() + offset * 60_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
  }, minutes);
}

/**
 * Deletes assignments and the snapshots their deadline captures took, as the instructor (through the API, so it
 * runs even when a test left its page broken): the Hub is shared by the worker's tests, and other tests count the
 * snapshots they see.
 */
async function removeAssignments(hub: RunningHub, ids: string[]): Promise<void> {
  const instructor = new CourseworkClient({ baseUrl: hub.serviceUrl, token: (await hub.issueToken('instructor')).token });
  for (const id of ids) {
    const status = await instructor.assignmentStatus(id).catch(() => undefined);
    if (!status) continue;
    await instructor.deleteAssignment(id);
    // Every capture of it, also those an extension superseded (named `<id>_<date>`, `<id>-2_<date>`, …).
    for (const { student } of status.students) {
      for (const { name } of await instructor.studentSnapshots(student)) {
        if (name.startsWith(`${id}_`) || name.startsWith(`${id}-`)) await instructor.deleteSnapshot(student, name);
      }
    }
  }
}

/** Drags the handle between the main area and the right side bar `by` pixels to the left. */
async function widenRightSideBar(page: Page, by: number): Promise<void> {
  const handle = page.locator('#jp-main-split-panel > .lm-SplitPanel-handle:not(.lm-mod-hidden)').last();
  const box = await handle.boundingBox();
  if (!box) throw new Error('the handle between the main area and the right side bar is not on the page');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x - by, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
}

async function openAssignments(page: Page) {
  await showInstructorPanel(page);
  const section = page.locator('#coursework-instructor-panel .jp-Coursework-AssignmentsSection');
  await expect(section).toBeVisible();
  await dismissToasts(page);
  return section;
}

test.describe('assignments and deadlines in JupyterLab', () => {
  test.afterEach(async ({ page, hub }) => {
    await removeAssignments(hub, ['essay-1', 'twice']);
    await forgetLayout(page);
  });

  test('the instructor creates a past-due assignment, every student is captured, and students see their due date', async ({
    page,
    browser,
    hub,
  }, testInfo) => {
    await logInToLab(page, hub, 'instructor');
    const section = await openAssignments(page);
    await section.getByLabel('Id', { exact: true }).fill('essay-1');
    await section.getByLabel('Title', { exact: true }).fill('Essay one');
    await section.getByLabel('Due', { exact: true }).fill(await localInput(page, -2));
    await expect(section.getByLabel('Capture each home at the due time')).toBeChecked();
    await section.getByRole('button', { name: 'Create assignment' }).click();
    await expect(section.getByText(/Created “Essay one”, due /)).toBeVisible();
    await expect(section.getByRole('listitem').filter({ hasText: 'Essay one' })).toContainText('essay-1 · due');

    // The due time has passed: the service captures every student at once, and the table follows it.
    const table = section.locator('.jp-Coursework-status-table');
    for (const student of ['student1', 'student2', 'student3']) {
      await expect(table.getByRole('row', { name: new RegExp(student) })).toContainText('captured', { timeout: 60_000 });
      await expect(table.getByRole('row', { name: new RegExp(student) })).toContainText(/files?/);
    }
    await expect(table.locator('tbody tr')).toHaveCount(3);

    // Capturing again takes nothing twice.
    await section.getByRole('button', { name: 'Capture now' }).click();
    await expect(section.getByText('0 captures started, 3 already taken')).toBeVisible();

    // student2 gets an extension: their row says so, and the list counts it.
    await section.getByLabel('Student', { exact: true }).selectOption('student2');
    await section.getByLabel('New due time').fill(await localInput(page, 7 * 24 * 60));
    await section.getByRole('button', { name: 'Grant extension' }).click();
    await expect(section.getByText(/student2 is now due /)).toBeVisible();
    await expect(table.getByRole('row', { name: /student2/ })).toContainText('extended');
    await expect(section.getByRole('listitem').filter({ hasText: 'Essay one' })).toContainText('1 extension');
    // Wider than the side bar's default, as an instructor reading the table would make it.
    await widenRightSideBar(page, 420);
    await keepScreenshot(section, testInfo, 'assignments-section.png');

    const download = page.waitForEvent('download');
    await section.getByRole('button', { name: 'CSV' }).click();
    const csv = await download;
    expect(csv.suggestedFilename()).toBe('essay-1-status.csv');

    // Each student sees their own due date above their feedback.
    const student1 = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await logInToLab(student1, hub, 'student1');
    const due1 = student1.locator('.jp-Coursework-FeedbackSection .jp-Coursework-due-dates li', { hasText: 'Essay one' });
    await expect(due1).toContainText('due ');
    await expect(due1.locator('.jp-Coursework-captured')).toContainText('captured ✓');
    await expect(due1.locator('.jp-Coursework-captured')).toHaveAttribute('title', /manifest SHA-256 [0-9a-f]{12}…/);
    await student1.context().close();

    const student2 = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await logInToLab(student2, hub, 'student2');
    const due2 = student2.locator('.jp-Coursework-FeedbackSection .jp-Coursework-due-dates li', { hasText: 'Essay one' });
    await expect(due2).toContainText('extended');
    await expect(due2.locator('.jp-Coursework-captured')).toHaveCount(0);
    await student2.context().close();
  });

  test('the form says what is wrong with an assignment the service refuses', async ({ page, hub }) => {
    await logInToLab(page, hub, 'instructor');
    const section = await openAssignments(page);
    await section.getByLabel('Id', { exact: true }).fill('twice');
    await section.getByLabel('Due', { exact: true }).fill(await localInput(page, 60));
    await section.getByRole('button', { name: 'Create assignment' }).click();
    await expect(section.getByText(/Created “twice”/)).toBeVisible();
    await expect(section.locator('.jp-Coursework-status-table tbody tr')).toHaveCount(3);
    await expect(section.locator('.jp-Coursework-status-table')).toContainText('upcoming');

    await section.getByLabel('Id', { exact: true }).fill('twice');
    await section.getByLabel('Due', { exact: true }).fill(await localInput(page, 60));
    await section.getByRole('button', { name: 'Create assignment' }).click();
    await expect(section.getByText(/\(HTTP 409\)/)).toBeVisible();
  });
});
