import type { Page } from '@playwright/test';
import { CourseworkClient } from '@coursework/client';
import { keepScreenshot } from './coursework-lab';
import { expect, logInToLab, test } from './fixtures';

const FEEDBACK = '**/services/coursework/api/v1/me/feedback';
const section = (page: Page) => page.locator('.jp-Coursework-FeedbackSection');

test.describe('a student in JupyterLab', () => {
  test('has no instructor panel', async ({ page, hub }) => {
    await logInToLab(page, hub, 'student1');
    await expect(section(page)).toBeVisible();
    await expect(page.locator('.jp-SideBar.jp-mod-right [data-id="coursework-instructor-panel"]')).toHaveCount(0);
    await expect(page.locator('#coursework-instructor-panel')).toHaveCount(0);
  });

  test('sees the Feedback section of the file browser, saying that no feedback was released yet', async ({ page, hub }, testInfo) => {
    // Nothing is ever released to student3 in these tests.
    await logInToLab(page, hub, 'student3');
    await expect(page.locator('.jp-FileBrowser .lm-AccordionPanel-title', { hasText: 'Feedback' })).toBeVisible();
    await expect(section(page)).toContainText('No feedback has been released to you yet.');
    await keepScreenshot(page.locator('#filebrowser'), testInfo, 'feedback-section.png');
  });

  test('browses feedback released to them, opens a file of it and copies it to their home; another student sees none of it', async ({ page, hub, browser }) => {
    // A notebook without kernel metadata, as graders' tools often write them.
    const graded = { cells: [{ cell_type: 'markdown', source: '# Graded: 9/10', metadata: {} }], metadata: {}, nbformat: 4, nbformat_minor: 5 };
    const instructor = new CourseworkClient({ baseUrl: hub.serviceUrl, token: (await hub.issueToken('instructor')).token });
    await instructor.releaseFeedback('student1', 'ps1', { 'notes/report.md': '# Well done, Ada\n', 'graded.ipynb': JSON.stringify(graded) });

    await logInToLab(page, hub, 'student1');
    const listing = section(page).locator('.jp-DirListing-content');
    await listing.locator('.jp-DirListing-item', { hasText: 'ps1' }).dblclick();

    // A feedback notebook opens to be read, without asking for a kernel.
    await listing.locator('.jp-DirListing-item', { hasText: 'graded.ipynb' }).dblclick();
    const notebook = page.locator('.jp-NotebookPanel:visible');
    await expect(notebook.getByRole('heading', { name: 'Graded: 9/10' })).toBeVisible();
    await expect(notebook.locator('.jp-Toolbar').getByText('No Kernel')).toBeVisible();
    await expect(page.locator('.jp-Dialog')).toHaveCount(0);

    await listing.locator('.jp-DirListing-item', { hasText: 'notes' }).dblclick();
    await listing.locator('.jp-DirListing-item', { hasText: 'report.md' }).dblclick();
    await expect(page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current')).toContainText('report.md');
    await expect(page.locator('.jp-FileEditor:visible')).toContainText('# Well done, Ada');

    await listing.locator('.jp-DirListing-item', { hasText: 'report.md' }).click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Copy to my home' }).click();
    await expect(page.getByText('Copied report.md to report.md')).toBeVisible();
    const copy = await page.evaluate(async () => {
      const config = JSON.parse(document.getElementById('jupyter-config-data')!.textContent!) as { token: string; baseUrl: string };
      const response = await fetch(`${config.baseUrl}api/contents/report.md?content=1`, { headers: { Authorization: `token ${config.token}` } });
      return { status: response.status, body: (await response.json()) as { content: string; format: string } };
    });
    expect(copy).toMatchObject({ status: 200, body: { format: 'text', content: '# Well done, Ada\n' } });

    // student2, in a browser of their own, sees nothing of it.
    const other = await browser.newContext();
    const page2 = await other.newPage();
    await logInToLab(page2, hub, 'student2');
    await expect(section(page2)).toContainText('No feedback has been released to you yet.');
    await other.close();
  });

  test('sees why feedback is unavailable when the service fails, and JupyterLab keeps working', async ({ page, hub }) => {
    await page.route(FEEDBACK, (route) => route.fulfill({ status: 503, json: { status: 503, message: 'Service Unavailable' } }));
    await logInToLab(page, hub, 'student1');
    await expect(section(page)).toContainText('Feedback is unavailable right now: Service Unavailable (HTTP 503)');
    // The user's own files are still there.
    await expect(page.locator('#filebrowser .jp-DirListing-item', { hasText: 'assignment-1.ipynb' })).toBeVisible();
  });
});
