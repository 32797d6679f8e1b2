import { CourseworkClient } from '@coursework/client';
import type { Page } from '@playwright/test';
import { openReleaseDialog, saveInHome } from './coursework-lab';
import { expect, logInToLab, test } from './fixtures';
import { expectNamedWithRing, markTabbable, tabThrough } from './keyboard';
import { dismissToasts, forgetLayout } from './lab-workspace';

const panelOf = (page: Page) => page.locator('#coursework-instructor-panel');

/** Runs a command with the keyboard only: Ctrl+Shift+C opens the command palette, the label is typed, Enter. */
async function runByKeyboard(page: Page, label: string): Promise<void> {
  const input = page.locator('.lm-CommandPalette-input');
  // The palette closes when JupyterLab, still settling, moves the keyboard elsewhere: open it again then.
  await expect(async () => {
    if (!(await input.isVisible())) await page.keyboard.press('Control+Shift+C');
    await expect(input).toBeFocused({ timeout: 2000 });
    await page.keyboard.press('Control+A');
    await page.keyboard.type(label);
    await expect(page.locator('.lm-CommandPalette-item.lm-mod-active')).toContainText(label, { timeout: 2000 });
    await page.keyboard.press('Enter');
    await expect(input).toBeHidden({ timeout: 2000 });
  }).toPass({ timeout: 60_000 });
}

/** Presses Tab until `target` has the keyboard (a date field takes a Tab per part). */
async function tabTo(page: Page, target: ReturnType<Page['locator']>, limit = 12): Promise<void> {
  for (let i = 0; i < limit && !(await target.evaluate((element) => element === document.activeElement)); i++)
    await page.keyboard.press('Tab');
  await expect(target).toBeFocused();
}

test.describe('the instructor with the keyboard alone', () => {
  const undo: (() => Promise<void>)[] = [];
  test.afterEach(async ({ page }) => {
    for (const step of undo.splice(0)) await step().catch(() => undefined);
    await forgetLayout(page);
  });

  test('takes a snapshot of every student: the command palette opens the panel, Tab leads to the name field and the button', async ({
    page,
    hub,
  }) => {
    await logInToLab(page, hub, 'instructor');
    // The extension's commands exist once the service has said who the user is, as does the panel's tab.
    await expect(page.locator('.jp-SideBar.jp-mod-right [data-id="coursework-instructor-panel"]')).toBeVisible();
    await runByKeyboard(page, 'Coursework: Open instructor panel');
    const panel = panelOf(page);
    await expect(panel).toBeVisible();

    await page.keyboard.press('Tab');
    // The instructor teaches both demo courses: the header's switcher comes first.
    await expect(panel.getByRole('combobox', { name: 'Course' })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(panel.getByRole('link', { name: 'API docs' })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(panel.getByRole('button', { name: 'Class view' })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(panel.getByRole('button', { name: 'Refresh' })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(panel.getByLabel('Name')).toBeFocused();
    await page.keyboard.type('keyboard-check');
    await page.keyboard.press('Tab');
    await expect(panel.getByLabel('Include hidden files')).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(panel.getByLabel('All students')).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(panel.getByRole('button', { name: 'Take snapshot' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(panel.locator('.jp-Coursework-progress')).toContainText(
      /Snapshot “keyboard-check_\d{4}-\d{2}-\d{2}” done: 3 of 3 students/,
      { timeout: 60_000 },
    );
  });

  test('reaches every control of the panel with Tab, each named and with a focus ring, and works them with Enter and Space', async ({
    page,
    hub,
  }) => {
    const instructor = new CourseworkClient({ baseUrl: hub.serviceUrl, token: (await hub.issueToken('instructor')).token });
    await instructor.createAssignment({
      id: 'keys-1',
      title: 'Keyboard essay',
      dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    });
    undo.push(() => instructor.deleteAssignment('keys-1'));
    await logInToLab(page, hub, 'instructor');
    await expect(page.locator('.jp-SideBar.jp-mod-right [data-id="coursework-instructor-panel"]')).toBeVisible();
    await runByKeyboard(page, 'Coursework: Open instructor panel');
    const panel = panelOf(page);
    await expect(panel.getByRole('rowheader', { name: 'student3' })).toBeVisible();
    await dismissToasts(page);

    // Enter on an assignment shows its status, with more controls (downloads, capture, extension).
    const essay = panel.getByRole('button', { name: 'Keyboard essay' });
    await essay.focus();
    await page.keyboard.press('Enter');
    await expect(essay).toHaveAttribute('aria-pressed', 'true');
    await expect(panel.getByRole('button', { name: 'Capture now' })).toBeVisible();

    const controls = await markTabbable(panel);
    expect(controls.length).toBeGreaterThan(20);
    await panel.focus();
    const stops = await tabThrough(page, panel);
    expect([...stops.keys()]).toEqual(controls);
    expectNamedWithRing(stops);

    // Space ticks a check box; the arrow keys move within the students' radio group.
    const hidden = panel.getByLabel('Include hidden files');
    await hidden.focus();
    await page.keyboard.press('Space');
    await expect(hidden).toBeChecked();
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown');
    await expect(panel.getByLabel('Selected students (tick them below)')).toBeChecked();
    const student2 = panel.getByLabel('Select student2');
    await student2.focus();
    await page.keyboard.press('Space');
    await expect(student2).toBeChecked();
  });

  test('fills and sends the release dialog with the keyboard, every control of it named and with a focus ring', async ({ page, hub }) => {
    const instructor = new CourseworkClient({ baseUrl: hub.serviceUrl, token: (await hub.issueToken('instructor')).token });
    undo.push(() => instructor.withdrawFeedback('student3', 'keys-2'));
    await logInToLab(page, hub, 'instructor');
    await saveInHome(page, 'keys.md', { type: 'file', format: 'text', content: '# Keys\n' });
    const dialog = await openReleaseDialog(page, 'keys.md');

    const student = dialog.getByLabel('Student', { exact: true });
    await expect(student).toBeFocused();
    const controls = await markTabbable(dialog);
    // The dialog keeps the keyboard: Tab goes round it, back to the start.
    const stops = await tabThrough(page, dialog);
    expect([...stops.keys()].sort()).toEqual([...controls].sort());
    expectNamedWithRing(stops);

    await student.focus();
    await page.keyboard.type('student3');
    await expect(student).toHaveValue('student3');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('keys-2');
    const deliver = dialog.getByLabel('Also write into the student’s home');
    await tabTo(page, deliver);
    await page.keyboard.press('Space');
    await expect(deliver).toBeChecked();
    await page.keyboard.press('Space');
    await expect(deliver).not.toBeChecked();
    await tabTo(page, dialog.getByRole('button', { name: 'Release' }));
    await page.keyboard.press('Enter');
    await expect(page.getByText('Released keys.md to student3 as feedback on “keys-2”')).toBeVisible();
  });
});
