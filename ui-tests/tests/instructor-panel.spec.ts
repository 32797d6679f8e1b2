import { readFileSync } from 'node:fs';
import { keepScreenshot, runFromPalette, takeSnapshotFromLab } from './coursework-lab';
import type { Page } from '@playwright/test';
import { expect, logInToLab, test } from './fixtures';

const instructorTab = (page: Page) => page.locator('.jp-SideBar.jp-mod-right [data-id="coursework-instructor-panel"]');

test.describe('the instructor in JupyterLab', () => {
  test('takes a snapshot of every student from the Coursework panel and sees its progress to the end', async ({ page, hub }, testInfo) => {
    await logInToLab(page, hub, 'instructor');
    await instructorTab(page).click();
    const panel = page.locator('#coursework-instructor-panel');
    await expect(panel).toBeVisible();
    await expect(panel.getByRole('rowheader', { name: 'student3' })).toBeVisible();

    await panel.getByLabel('Name').fill('ui-check');
    await panel.getByLabel('All students').check();
    await panel.getByRole('button', { name: 'Take snapshot' }).click();
    await expect(panel.locator('.jp-Coursework-progress')).toContainText(/Snapshot “ui-check_\d{4}-\d{2}-\d{2}” done: 3 of 3 students/, {
      timeout: 60_000,
    });
    await expect(panel.locator('.jp-Coursework-progress progress')).toHaveAttribute('value', '3');

    // The overview gains the new snapshot, for every student, with its zip downloads.
    const column = panel.getByRole('columnheader', { name: /ui-check_/ });
    await expect(column).toBeVisible();
    for (const student of ['student1', 'student2', 'student3']) {
      await expect(panel.getByRole('row', { name: new RegExp(student) }).getByRole('button', { name: /files/ })).toBeVisible();
    }
    await keepScreenshot(panel, testInfo, 'instructor-panel.png');

    // The browser fetches the zip itself (through a one-minute link), named by the service.
    const download = page.waitForEvent('download');
    await column.getByRole('button', { name: 'zip' }).click();
    expect((await download).suggestedFilename()).toMatch(/^ui-check_\d{4}-\d{2}-\d{2}\.zip$/);
    const zip = readFileSync((await (await download).path())!);
    expect(zip.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    expect(zip.toString('latin1')).toContain('student2/');
  });

  test('opens the panel from the command palette, filters the overview, and goes to the snapshot form', async ({ page, hub }) => {
    await logInToLab(page, hub, 'instructor');
    await expect(instructorTab(page)).toBeVisible();
    await takeSnapshotFromLab(page, 'filter-check');
    await runFromPalette(page, 'Coursework: Open instructor panel');
    const panel = page.locator('#coursework-instructor-panel');
    await expect(panel).toBeVisible();
    await panel.getByRole('button', { name: 'Refresh' }).click();
    await expect(panel.getByRole('columnheader', { name: /filter-check_/ })).toBeVisible();
    await panel.getByLabel('Filter', { exact: true }).fill('student2');
    await expect(panel.getByRole('table', { name: 'Students and their snapshots' }).locator('tbody tr')).toHaveCount(1);
    await expect(panel.getByRole('rowheader', { name: 'student2' })).toBeVisible();

    // "Take snapshot" brings the keyboard to the form.
    await runFromPalette(page, 'Coursework: Take snapshot');
    await expect(panel.getByLabel('Name')).toBeFocused();
  });

  test('opens a notebook of a snapshot, read-only, from the snapshots browser', async ({ page, hub }, testInfo) => {
    await logInToLab(page, hub, 'instructor');
    // The extension's commands exist once the service has said who the user is, as has the panel.
    await expect(instructorTab(page)).toBeVisible();
    const snapshot = await takeSnapshotFromLab(page, 'open-check');
    await runFromPalette(page, 'Coursework: Browse snapshots');
    const browser = page.locator('#coursework-snapshots-browser');
    await expect(browser).toBeVisible();
    for (const name of ['student1', snapshot, 'assignment-1.ipynb']) {
      await browser.locator('.jp-DirListing-item', { hasText: name }).first().dblclick();
    }
    const notebook = page.locator('.jp-NotebookPanel:visible');
    await expect(notebook.locator('.jp-Cell')).toHaveCount(6, { timeout: 30_000 });
    await expect(notebook.getByRole('heading', { name: 'Assignment 1: Exploring a dataset' })).toBeVisible();
    await expect(page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current')).toContainText('assignment-1.ipynb');
    // The drive says the file is not writable, and JupyterLab's notebook shows it.
    await expect(notebook.getByText('notebook is read-only')).toBeVisible();
    // It is there to be read: no kernel starts for it (the status bar says so; the notebook's toolbar may have
    // folded its kernel name away when other extensions add buttons, as nbgrader's Validate does).
    await expect(page.locator('#jp-main-statusbar').getByText(/^No Kernel/)).toBeVisible();
    await keepScreenshot(page.locator('#jp-main-dock-panel'), testInfo, 'snapshot-notebook.png');
  });
});
