import type { Page } from '@playwright/test';
import { CourseworkClient } from '@coursework/client';
import { keepScreenshot, readInHome } from './coursework-lab';
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

  test('browses feedback released to them, opens its files and copies files and folders to their home; another student sees none of it', async ({
    page,
    hub,
    browser,
  }) => {
    // A notebook without kernel metadata, as graders' tools often write them.
    const graded = {
      cells: [{ cell_type: 'markdown', source: '# Graded: 9/10', metadata: {} }],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    };
    const plot = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0x00]);
    const instructor = new CourseworkClient({ baseUrl: hub.serviceUrl, token: (await hub.issueToken('instructor')).token });
    await instructor.releaseFeedback('student1', 'ps1', {
      'notes/report.md': '# Well done, Ada\n',
      'notes/plot.png': plot,
      'graded.ipynb': JSON.stringify(graded),
      'report.html': '<h1>Report for Ada</h1><p>All tests pass.</p>',
    });

    await logInToLab(page, hub, 'student1');
    const listing = section(page).locator('.jp-DirListing-content');
    const item = (name: string) => listing.locator('.jp-DirListing-item', { hasText: name });
    const currentTab = page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current');
    await item('ps1').dblclick();

    // A feedback notebook opens to be read, without asking for a kernel.
    await item('graded.ipynb').dblclick();
    const notebook = page.locator('.jp-NotebookPanel:visible');
    await expect(notebook.getByRole('heading', { name: 'Graded: 9/10' })).toBeVisible();
    await expect(notebook.locator('.jp-Toolbar').getByText('No Kernel')).toBeVisible();
    await expect(page.locator('.jp-Dialog')).toHaveCount(0);

    // An HTML report opens in JupyterLab's HTML viewer, rendered.
    await item('report.html').dblclick();
    await expect(currentTab).toContainText('report.html');
    await expect(page.frameLocator('.jp-HTMLViewer:visible iframe').getByRole('heading', { name: 'Report for Ada' })).toBeVisible();

    await item('notes').dblclick();
    await item('report.md').dblclick();
    await expect(currentTab).toContainText('report.md');
    await expect(page.locator('.jp-FileEditor:visible')).toContainText('# Well done, Ada');

    const copy = async (name: string, notification: string) => {
      await item(name).click({ button: 'right' });
      await page.getByRole('menuitem', { name: 'Copy to my home' }).click();
      await expect(page.getByText(notification, { exact: true })).toBeVisible();
    };
    await copy('report.md', 'Copied report.md to report.md');
    // Folders: a whole assignment twice (the second copy under a name of its own), and a subfolder.
    await section(page).locator('.jp-BreadCrumbs-home').click();
    await copy('ps1', 'Copied 4 files of ps1 to ps1');
    await copy('ps1', 'Copied 4 files of ps1 to ps1-feedback');
    await item('ps1').dblclick();
    await copy('notes', 'Copied 2 files of notes to notes');

    const text = (content: string) => ({ type: 'file', format: 'text', content });
    // The server wraps base64 in lines: compare the bytes.
    const bytesIn = async (path: string) => {
      const model = await readInHome(page, path);
      expect(model).toMatchObject({ type: 'file', format: 'base64' });
      return new Uint8Array(Buffer.from(String(model?.content), 'base64'));
    };
    expect(await readInHome(page, 'report.md')).toMatchObject(text('# Well done, Ada\n'));
    for (const folder of ['ps1', 'ps1-feedback']) {
      const copied = await readInHome(page, folder);
      expect((copied?.content as { name: string }[]).map((child) => child.name).sort()).toEqual(['graded.ipynb', 'notes', 'report.html']);
      expect(await readInHome(page, `${folder}/graded.ipynb`)).toMatchObject({
        type: 'notebook',
        format: 'json',
        content: { cells: [{ source: '# Graded: 9/10' }] },
      });
      expect(await readInHome(page, `${folder}/report.html`)).toMatchObject(text('<h1>Report for Ada</h1><p>All tests pass.</p>'));
      expect(await readInHome(page, `${folder}/notes/report.md`)).toMatchObject(text('# Well done, Ada\n'));
      expect(await bytesIn(`${folder}/notes/plot.png`)).toEqual(plot);
    }
    expect(await bytesIn('notes/plot.png')).toEqual(plot);
    expect(await readInHome(page, 'notes/report.md')).toMatchObject(text('# Well done, Ada\n'));
    expect(await readInHome(page, 'ps1-feedback-2')).toBeNull();

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
