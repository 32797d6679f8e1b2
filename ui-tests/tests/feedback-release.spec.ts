import type { Browser, Page } from '@playwright/test';
import { CourseworkClient, CourseworkError } from '@coursework/client';
import JSZip from 'jszip';
import type { RunningHub } from '../../service/test/support/hub';
import { openReleaseDialog, saveInHome } from './coursework-lab';
import { expect, logInToLab, test } from './fixtures';
import { dismissToasts, forgetLayout, showInstructorPanel } from './lab-workspace';

/** A second user, in a browser context of their own (their own Hub login). */
async function logInAs(browser: Browser, hub: RunningHub, user: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await logInToLab(page, hub, user);
  return page;
}

test.describe('feedback released from JupyterLab', () => {
  test.afterEach(async ({ page }) => forgetLayout(page));
  // Later tests expect student3 to have had no feedback: withdraw what these released.
  test.afterAll(async ({ hub }) => {
    const instructor = new CourseworkClient({ baseUrl: hub.serviceUrl, token: (await hub.issueToken('instructor')).token });
    for (const [student, assignment] of [
      ['student1', 'ps1'],
      ['student3', 'lab2'],
      ['student3', 'ps3'],
    ] as const) {
      // Not found: the test that releases it did not get that far.
      await instructor.withdrawFeedback(student, assignment).catch((error: unknown) => {
        if (!(error instanceof CourseworkError && error.status === 404)) throw error;
      });
    }
  });

  test('the instructor releases a file of their home to student1, who alone sees and opens it', async ({ page, browser, hub }) => {
    await logInToLab(page, hub, 'instructor');
    await saveInHome(page, 'ps1-comments.md', { type: 'file', format: 'text', content: '# ps1\n\nWell argued, Ada.\n' });
    const dialog = await openReleaseDialog(page, 'ps1-comments.md');
    await expect(dialog.getByLabel('Student', { exact: true })).toBeFocused();
    await dialog.getByLabel('Student', { exact: true }).selectOption('student1');
    await dialog.getByLabel('Assignment', { exact: true }).fill('ps1');
    await dialog.getByRole('button', { name: 'Release' }).click();
    await expect(page.getByText('Released ps1-comments.md to student1 as feedback on “ps1”')).toBeVisible();

    const student1 = await logInAs(browser, hub, 'student1');
    const section = student1.locator('.jp-Coursework-FeedbackSection');
    const listing = section.locator('.jp-DirListing-content');
    await expect(section.locator('.jp-Coursework-new-feedback')).toContainText('New feedback: ps1');
    const title = student1.locator('.jp-FileBrowser .lm-AccordionPanel-title', { hasText: 'Feedback' });
    await expect(title).toContainText('Feedback (new)');
    await listing.locator('.jp-DirListing-item', { hasText: 'ps1' }).dblclick();
    await listing.locator('.jp-DirListing-item', { hasText: 'ps1-comments.md' }).dblclick();
    await expect(student1.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current')).toContainText('ps1-comments.md');
    await expect(student1.locator('.jp-FileEditor:visible')).toContainText('Well argued, Ada.');
    // Once looked at, the marker goes away.
    await section.getByRole('button', { name: 'Mark as seen' }).click();
    await expect(section.locator('.jp-Coursework-new-feedback')).toBeHidden();
    await expect(title).not.toContainText('(new)');
    await forgetLayout(student1);
    await student1.context().close();

    const student2 = await logInAs(browser, hub, 'student2');
    const other = student2.locator('.jp-Coursework-FeedbackSection');
    await expect(other).toContainText('No feedback has been released to you yet.');
    await expect(other.locator('.jp-DirListing-item')).toHaveCount(0);
    await forgetLayout(student2);
    await student2.context().close();
  });

  test('the instructor releases a folder, with a notebook in a subfolder, under its relative paths', async ({ page, browser, hub }) => {
    await logInToLab(page, hub, 'instructor');
    const notebook = {
      cells: [{ cell_type: 'markdown', metadata: {}, source: ['# Graded: 9/10'] }],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    };
    await saveInHome(page, 'lab2', { type: 'directory' });
    await saveInHome(page, 'lab2/graded', { type: 'directory' });
    await saveInHome(page, 'lab2/graded/lab2.ipynb', { type: 'notebook', format: 'json', content: notebook });
    await saveInHome(page, 'lab2/summary.txt', { type: 'file', format: 'text', content: 'See the graded notebook.\n' });
    const dialog = await openReleaseDialog(page, 'lab2');
    // A folder's name is the assignment's, unless changed.
    await expect(dialog.getByLabel('Assignment', { exact: true })).toHaveValue('lab2');
    await dialog.getByLabel('Student', { exact: true }).selectOption('student3');
    await dialog.getByRole('button', { name: 'Release' }).click();
    await expect(page.getByText('Released 2 files to student3 as feedback on “lab2”')).toBeVisible();

    const student3 = await logInAs(browser, hub, 'student3');
    const listing = student3.locator('.jp-Coursework-FeedbackSection .jp-DirListing-content');
    for (const name of ['lab2', 'graded', 'lab2.ipynb']) await listing.locator('.jp-DirListing-item', { hasText: name }).first().dblclick();
    await expect(student3.locator('.jp-NotebookPanel:visible').getByRole('heading', { name: 'Graded: 9/10' })).toBeVisible({
      timeout: 30_000,
    });
    await forgetLayout(student3);
    await student3.context().close();
  });

  test('a release the service refuses says why', async ({ page, hub }) => {
    await logInToLab(page, hub, 'instructor');
    await saveInHome(page, 'notes.exe-list', { type: 'file', format: 'text', content: 'not a feedback file type\n' });
    const dialog = await openReleaseDialog(page, 'notes.exe-list');
    await dialog.getByLabel('Assignment', { exact: true }).fill('ps1');
    await dialog.getByRole('button', { name: 'Release' }).click();
    // JupyterLab shortens long notifications; the service's reason comes first.
    await expect(page.getByText(/Could not release the feedback: Bad file path: "notes\.exe-list"/)).toBeVisible();
  });

  test('the instructor uploads a class zip in the panel and sees what each folder released or why not', async ({ page, hub }) => {
    await logInToLab(page, hub, 'instructor');
    const zip = new JSZip();
    zip.file('student3/ps3-report.md', '# ps3\n\nGood.\n');
    zip.file('student3/tool.exe', 'MZ');
    zip.file('outsider/ps3-report.md', 'not a student\n');
    const buffer = await zip.generateAsync({ type: 'nodebuffer' });

    await showInstructorPanel(page);
    const section = page.locator('#coursework-instructor-panel .jp-Coursework-BulkFeedbackSection');
    await section.getByLabel('Zip, a folder per student').setInputFiles({ name: 'ps3.zip', mimeType: 'application/zip', buffer });
    // The zip's name stands for the assignment's.
    await expect(section.getByLabel('Assignment')).toHaveValue('ps3');
    await dismissToasts(page);
    await section.getByRole('button', { name: 'Upload and release' }).click();
    await expect(section.getByRole('status').first()).toContainText(
      '“ps3”: 1 file released to 1 student, 1 unknown student folder, 2 entries rejected',
    );
    const student3 = section.getByRole('row', { name: /student3/ });
    await expect(student3).toContainText('released');
    await expect(student3).toContainText('ps3-report.md');
    await expect(student3).toContainText(/tool\.exe: .+/);
    await expect(section.getByRole('row', { name: /outsider/ })).toContainText('unknown student');
  });
});
