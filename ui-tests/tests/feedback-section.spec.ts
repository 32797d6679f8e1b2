import type { Page } from '@playwright/test';
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

  // The service's feedback API is answered here by the page itself, in the shape the API documents, so that the
  // section's states can each be shown.
  test('sees the Feedback section of the file browser, saying that no feedback was released yet', async ({ page, hub }, testInfo) => {
    await page.route(FEEDBACK, (route) => route.fulfill({ json: { items: [] } }));
    await logInToLab(page, hub, 'student1');
    await expect(page.locator('.jp-FileBrowser .lm-AccordionPanel-title', { hasText: 'Feedback' })).toBeVisible();
    await expect(section(page)).toContainText('No feedback has been released to you yet.');
    await keepScreenshot(page.locator('#filebrowser'), testInfo, 'feedback-section.png');
  });

  test('browses released feedback, opens a file of it and copies it to their home', async ({ page, hub }) => {
    const at = '2026-11-23T10:00:00.000Z';
    const files = [
      { path: 'notes/report.md', size: 17, sha256: 'a'.repeat(64), releasedAt: at },
      { path: 'graded.ipynb', size: 120, sha256: 'b'.repeat(64), releasedAt: at },
    ];
    // A notebook without kernel metadata, as graders' tools often write them.
    const graded = { cells: [{ cell_type: 'markdown', source: '# Graded: 9/10', metadata: {} }], metadata: {}, nbformat: 4, nbformat_minor: 5 };
    await page.route(FEEDBACK, (route) => route.fulfill({ json: { items: [{ assignment: 'ps1', releasedAt: at, files }] } }));
    await page.route(`${FEEDBACK}/ps1/files/notes/report.md`, (route) =>
      route.fulfill({ body: '# Well done, Ada\n', contentType: 'text/markdown', headers: { ETag: '"a"' } }),
    );
    await page.route(`${FEEDBACK}/ps1/files/graded.ipynb`, (route) => route.fulfill({ json: graded }));
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
  });

  test('sees why feedback is unavailable when the service fails, and JupyterLab keeps working', async ({ page, hub }) => {
    await page.route(FEEDBACK, (route) => route.fulfill({ status: 503, json: { status: 503, message: 'Service Unavailable' } }));
    await logInToLab(page, hub, 'student1');
    await expect(section(page)).toContainText('Feedback is unavailable right now: Service Unavailable (HTTP 503)');
    // The user's own files are still there.
    await expect(page.locator('#filebrowser .jp-DirListing-item', { hasText: 'assignment-1.ipynb' })).toBeVisible();
  });
});
