import { keepScreenshot, openReleaseDialog, saveInHome } from './coursework-lab';
import { expect, logInToLab, test } from './fixtures';
import { forgetLayout, showInstructorPanel } from './lab-workspace';
import { coloursOf, DARK, LIGHT, offThemeColours, saveLightTheme, themeColour, useTheme } from './theme';

test.describe('JupyterLab’s dark theme', () => {
  // The theme is saved with the user's settings: put it back even when a test fails half-way.
  const switched: string[] = [];
  test.afterEach(async ({ page, hub }) => {
    await forgetLayout(page);
    for (const user of switched.splice(0)) await saveLightTheme(hub, user);
  });

  test('the instructor panel, its sections and the release dialog take the dark theme’s colours, and the light ones back', async ({
    page,
    hub,
  }, testInfo) => {
    await logInToLab(page, hub, 'instructor');
    await showInstructorPanel(page);
    const panel = page.locator('#coursework-instructor-panel');
    await expect(panel.getByRole('rowheader', { name: 'student3' })).toBeVisible();
    const light = await coloursOf(panel);
    expect(light).toEqual({
      background: await themeColour(page, '--jp-layout-color1'),
      color: await themeColour(page, '--jp-ui-font-color1'),
    });

    switched.push('instructor');
    await useTheme(page, DARK);
    const dark = { background: await themeColour(page, '--jp-layout-color1'), color: await themeColour(page, '--jp-ui-font-color1') };
    expect(dark).not.toEqual(light);
    await expect.poll(() => coloursOf(panel)).toEqual(dark);
    // Its sections and their controls too: every colour in it is one of the theme's.
    const field = panel.getByLabel('Name');
    expect(await coloursOf(field)).toEqual({ background: await themeColour(page, '--jp-input-background'), color: dark.color });
    expect((await coloursOf(panel.getByRole('button', { name: 'Take snapshot' }))).background).toBe(
      await themeColour(page, '--jp-brand-color1'),
    );
    for (const section of ['.jp-Coursework-AssignmentsSection', '.jp-Coursework-BulkFeedbackSection'])
      await expect(panel.locator(section)).toBeVisible();
    expect(await offThemeColours(panel)).toEqual([]);
    // The side bar's Coursework icon is drawn in the theme's icon colour.
    const icon = page.locator('.jp-SideBar.jp-mod-right [data-id="coursework-instructor-panel"] .jp-icon3').first();
    expect(await icon.evaluate((shape) => getComputedStyle(shape).fill)).toBe(await themeColour(page, '--jp-inverse-layout-color3'));
    await keepScreenshot(panel, testInfo, 'instructor-panel-dark.png');

    await saveInHome(page, 'theme-check.md', { type: 'file', format: 'text', content: '# Dark\n' });
    const dialog = await openReleaseDialog(page, 'theme-check.md');
    const form = dialog.locator('.jp-Coursework-ReleaseDialog');
    await expect(form).toBeVisible();
    expect((await coloursOf(form)).color).toBe(dark.color);
    expect((await coloursOf(form.getByLabel('Assignment', { exact: true }))).background).toBe(
      await themeColour(page, '--jp-input-background'),
    );
    expect(await offThemeColours(form)).toEqual([]);
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await useTheme(page, LIGHT);
    await expect.poll(() => coloursOf(panel)).toEqual(light);
  });

  test('the students’ Feedback section takes the dark theme’s colours', async ({ page, hub }) => {
    await logInToLab(page, hub, 'student2');
    const section = page.locator('.jp-Coursework-FeedbackSection');
    await expect(section).toContainText('No feedback has been released to you yet.');
    switched.push('student2');
    await useTheme(page, DARK);
    await expect
      .poll(() => coloursOf(section))
      .toEqual({
        background: await themeColour(page, '--jp-layout-color1'),
        color: await themeColour(page, '--jp-ui-font-color1'),
      });
    expect((await coloursOf(section.locator('.jp-Coursework-message'))).color).toBe(await themeColour(page, '--jp-ui-font-color2'));
    expect(await offThemeColours(section)).toEqual([]);
    await useTheme(page, LIGHT);
  });
});
