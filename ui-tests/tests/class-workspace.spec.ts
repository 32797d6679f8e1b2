/**
 * The class workspace in the main area: a generated course of 300 students × 10 assignments, opened from the
 * instructor panel; first render and a full scroll measured in the browser (reported, not asserted: speed is the
 * benchmark's business), the grid virtualised and still an ARIA grid, live changes, filtering, sorting and the
 * keyboard; a selection made with the mouse and the keyboard, extended and captured; a student's timeline.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CourseworkClient } from '@coursework/client';
import { expect, logInToLab, test } from './fixtures';
import { keepScreenshot, saveInHome } from './coursework-lab';
import { DARK, saveLightTheme, themeColour, useTheme } from './theme';
import { dismissToasts, forgetLayout, showInstructorPanel, waitForSavedLayout } from './lab-workspace';

const COURSE = 'class-300';
const STUDENTS = Array.from({ length: 300 }, (_, i) => `cls-${String(i + 1).padStart(3, '0')}`);

test.describe('the class workspace', () => {
  let admin: CourseworkClient;

  test.beforeAll(async ({ hub }) => {
    // A course of its own, made by the instructor as a course admin (then back to an instructor only).
    await hub.api('POST', '/groups/coursework-admins');
    await hub.api('POST', '/groups/coursework-admins/users', { users: ['instructor'] });
    admin = new CourseworkClient({ baseUrl: hub.serviceUrl, token: (await hub.issueToken('instructor')).token });
    await admin.createCourse({ id: COURSE, title: 'Class of 300' });
    await admin.addRosterMembers(
      COURSE,
      STUDENTS.map((user) => ({ user })),
    );
    const course = admin.forCourse(COURSE);
    for (let a = 1; a <= 10; a++) {
      const dueAt = new Date(Date.now() + a * 86400_000).toISOString();
      await course.createAssignment({ id: `hw${a}`, title: `Homework ${a}`, dueAt, snapshotAtDue: false });
    }
    await course.grantExtension('hw1', 'cls-002', new Date(Date.now() + 5 * 86400_000).toISOString());
  });

  test.afterAll(async ({ hub }) => {
    await admin.deleteCourse(COURSE, COURSE);
    await hub.api('DELETE', '/groups/coursework-admins/users', { users: ['instructor'] });
  });

  test.afterEach(async ({ page }) => forgetLayout(page));

  test('shows 300 students × 10 assignments in a virtualised grid, filters, sorts and moves with the keyboard', async ({
    page,
    hub,
  }, testInfo) => {
    await logInToLab(page, hub, 'instructor');
    await showInstructorPanel(page);
    await dismissToasts(page);
    const panel = page.locator('#coursework-instructor-panel');
    await panel.getByRole('combobox', { name: 'Course' }).selectOption(COURSE);
    await expect(page.locator('#coursework-instructor-panel').getByRole('button', { name: 'Class view' })).toBeVisible();

    // Timed in the page, from the click to the first row's drawing (Playwright's own queries stay off the clock).
    const rendered = page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const started = performance.now();
          const look = () =>
            document.querySelector('.jp-Coursework-ClassGrid [data-student="cls-001"]')
              ? resolve(performance.now() - started)
              : requestAnimationFrame(look);
          requestAnimationFrame(look);
        }),
    );
    await page.locator('#coursework-instructor-panel').getByRole('button', { name: 'Class view' }).click();
    const grid = page.getByRole('grid', { name: 'The class: students and assignments' });
    await expect(grid.locator('[data-student="cls-001"]')).toBeVisible();
    const firstRender = await rendered;

    await expect(grid).toHaveAttribute('aria-rowcount', '301');
    await expect(grid).toHaveAttribute('aria-colcount', '11');
    await expect(page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current')).toContainText('Class: Class of 300');
    await expect(grid.getByRole('columnheader', { name: /Homework 10/ })).toBeVisible();
    // Only the rows in view (and a few around them) are in the page.
    expect(await grid.locator('.jp-Coursework-ClassRow').count()).toBeLessThan(80);
    await expect(grid.locator('[data-student="cls-002"] [role="gridcell"]').first()).toContainText('ext.');

    // Live: feedback released elsewhere shows in the student's cell without a reload, read for that student alone.
    const classReads: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.endsWith('/class')) classReads.push(url.search);
    });
    await admin.forCourse(COURSE).releaseFeedback('cls-004', 'hw1', { 'notes.txt': 'good' });
    await expect(grid.locator('[data-student="cls-004"] [role="gridcell"][aria-colindex="2"]')).toContainText('feedback', {
      timeout: 15_000,
    });
    expect(classReads).toEqual(['?students=cls-004']);

    const scrollStarted = await page.evaluate(() => performance.now());
    await grid.evaluate((node) => (node.scrollTop = node.scrollHeight));
    await expect(grid.locator('[data-student="cls-300"]')).toBeVisible();
    const fullScroll = (await page.evaluate(() => performance.now())) - scrollStarted;
    expect(await grid.locator('.jp-Coursework-ClassRow').count()).toBeLessThan(80);
    await expect(grid.locator('[data-student="cls-300"]')).toHaveAttribute('aria-rowindex', '301');
    // Scrolled back up in 60 steps, a frame each: the longest time between two frames.
    const longestFrame = await grid.evaluate(async (node) => {
      const frame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));
      let last = await frame();
      let longest = 0;
      for (let i = 60; i >= 0; i--) {
        node.scrollTop = (node.scrollHeight * i) / 60;
        const now = await frame();
        longest = Math.max(longest, now - last);
        last = now;
      }
      return longest;
    });
    await keepScreenshot(page.locator('#jp-main-dock-panel'), testInfo, 'class-workspace.png');
    console.log(
      `class workspace, 300 × 10: first render ${firstRender.toFixed(0)} ms, full scroll ${fullScroll.toFixed(0)} ms, longest frame scrolling ${longestFrame.toFixed(0)} ms`,
    );

    await page.getByRole('searchbox', { name: 'Filter students by name' }).fill('cls-29');
    await expect(page.locator('.jp-Coursework-ClassToolbar [role="status"]')).toHaveText('10 of 300 students');
    await expect(grid).toHaveAttribute('aria-rowcount', '11');

    await grid.getByRole('button', { name: 'Student' }).click();
    await expect(grid.getByRole('columnheader', { name: /Student/ })).toHaveAttribute('aria-sort', 'descending');
    await expect(grid.locator('.jp-Coursework-ClassRow').first()).toHaveAttribute('data-student', 'cls-299');

    await grid.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    await expect(grid).toHaveAttribute('aria-activedescendant', 'coursework-class-cell-1-1');
    await expect(page.locator('#coursework-class-cell-1-1')).toHaveAttribute('aria-label', /^cls-298, Homework 1: due /);

    // The dark theme: the grid and its header take the theme's colours.
    await useTheme(page, DARK);
    try {
      const background = (locator: typeof grid) => locator.evaluate((node) => getComputedStyle(node).backgroundColor);
      await expect
        .poll(() => background(page.locator('.jp-Coursework-ClassWorkspace')))
        .toBe(await themeColour(page, '--jp-layout-color1'));
      await expect.poll(() => background(grid.locator('.jp-Coursework-ClassHeader'))).toBe(await themeColour(page, '--jp-layout-color2'));
      await keepScreenshot(page.locator('#jp-main-dock-panel'), testInfo, 'class-workspace-dark.png');
    } finally {
      await saveLightTheme(hub, 'instructor');
    }
  });

  test('acts on a selection: five students get an extension, three are captured with progress and outcomes; a timeline', async ({
    page,
    hub,
  }, testInfo) => {
    for (const student of STUDENTS.slice(0, 3)) {
      mkdirSync(path.join(hub.homes, student), { recursive: true });
      writeFileSync(path.join(hub.homes, student, 'work.ipynb'), JSON.stringify({ cells: [], student }));
    }
    await logInToLab(page, hub, 'instructor');
    await showInstructorPanel(page);
    await dismissToasts(page);
    const panel = page.locator('#coursework-instructor-panel');
    await panel.getByRole('combobox', { name: 'Course' }).selectOption(COURSE);
    await panel.getByRole('button', { name: 'Class view' }).click();
    const grid = page.getByRole('grid', { name: 'The class: students and assignments' });
    await expect(grid.locator('[data-student="cls-001"]')).toBeVisible();
    const actions = page.getByRole('toolbar', { name: 'Actions on the selected students' });
    const selected = actions.getByRole('status').first();
    const hw2Cell = (student: string) => grid.locator(`[data-student="${student}"] [role="gridcell"][aria-colindex="3"]`);

    // A range with the mouse: one checkbox, then Shift and another.
    await grid.getByRole('checkbox', { name: 'Select cls-010' }).click();
    await grid.getByRole('checkbox', { name: 'Select cls-014' }).click({ modifiers: ['Shift'] });
    await expect(selected).toHaveText('5 students selected');
    await expect(grid.locator('[data-student="cls-012"]')).toHaveAttribute('aria-selected', 'true');
    await expect(grid.locator('[data-student="cls-015"]')).toHaveAttribute('aria-selected', 'false');

    await actions.getByRole('combobox', { name: 'Assignment to act on' }).selectOption('hw2');
    await actions.getByRole('spinbutton', { name: 'Hours to extend by' }).fill('48');
    await actions.getByRole('button', { name: 'Extend', exact: true }).click();
    await expect(actions.locator('summary')).toHaveText('Extend: 5 extended');
    const five = ['cls-010', 'cls-011', 'cls-012', 'cls-013', 'cls-014'];
    for (const student of five) await expect(hw2Cell(student)).toContainText('ext.');
    await expect(hw2Cell('cls-015')).not.toContainText('ext.');
    const hw2 = await admin.forCourse(COURSE).assignment('hw2');
    expect(hw2.extensions.map((e) => e.student).sort()).toEqual(five);
    for (const extension of hw2.extensions) {
      expect(new Date(extension.dueAt).getTime() - new Date(hw2.dueAt).getTime()).toBe(48 * 3600_000);
    }

    // Feedback from a folder of the instructor's home, a subfolder per student: two of the five have one.
    for (const folder of ['marked', 'marked/hw2', 'marked/hw2/cls-010', 'marked/hw2/cls-011']) {
      await saveInHome(page, folder, { type: 'directory' });
    }
    await saveInHome(page, 'marked/hw2/cls-010/report.html', { type: 'file', format: 'text', content: '<p>cls-010</p>' });
    await saveInHome(page, 'marked/hw2/cls-011/report.html', { type: 'file', format: 'text', content: '<p>cls-011</p>' });
    await actions.getByRole('textbox', { name: 'Folder of your home with a subfolder per student' }).fill('marked/hw2');
    await actions.getByRole('button', { name: 'Release feedback' }).click();
    await expect(actions.locator('summary')).toHaveText('Release feedback: 2 released, 3 failed');
    await expect(actions.locator('li[data-student="cls-012"]')).toHaveText('cls-012: no folder marked/hw2/cls-012');
    await expect(hw2Cell('cls-010')).toContainText('feedback');
    await expect(hw2Cell('cls-012')).not.toContainText('feedback');
    const released = await admin.forCourse(COURSE).studentFeedback('cls-011', 'hw2');
    expect(released.files.map((f) => f.path)).toEqual(['report.html']);

    // The keyboard: Escape clears, Space selects the active row, Shift+Space extends to it.
    await grid.focus();
    await page.keyboard.press('Escape');
    await expect(selected).toHaveText('0 students selected');
    await expect(actions.getByRole('button', { name: 'Capture now' })).toBeDisabled();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Shift+Space');
    await expect(selected).toHaveText('3 students selected');

    // Capture now: the progress as the job reports it, then each student's outcome.
    await page.locator('.jp-Coursework-ClassActions progress').evaluate((node) => {
      const seen: string[] = [];
      (window as unknown as { progressSeen: string[] }).progressSeen = seen;
      new MutationObserver(() => seen.push(node.getAttribute('aria-valuetext') ?? '')).observe(node, { attributes: true });
    });
    await actions.getByRole('button', { name: 'Capture now' }).click();
    await expect(actions.locator('summary')).toHaveText('Capture now: 3 captured', { timeout: 30_000 });
    const progressSeen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
    expect(progressSeen).toContain('3 of 3 students');
    const course = admin.forCourse(COURSE);
    for (const student of STUDENTS.slice(0, 3)) {
      await expect(actions.locator(`li[data-student="${student}"]`)).toContainText('captured as hw2-capture-');
      const snapshots = await course.studentSnapshots(student);
      expect(snapshots.filter((s) => s.name.startsWith('hw2-capture-')).map((s) => s.files)).toEqual([1]);
    }

    // The first student's feedback released, then opened by the student with their own token: the timeline shows
    // the capture, the release and the view in that order, as a chart and as a list.
    await course.releaseFeedback('cls-001', 'hw2', { 'report.html': '<p>Well done</p>' });
    await hub.api('POST', '/users/cls-001');
    const { token } = await hub.issueToken('cls-001');
    const own = new CourseworkClient({ baseUrl: hub.serviceUrl, token });
    const opened = await fetch(own.myFeedbackFileUrl('hw2', 'report.html', COURSE), { headers: { Authorization: `token ${token}` } });
    expect(opened.status).toBe(200);
    await expect.poll(async () => (await course.studentTimeline('cls-001')).events.map((e) => e.kind)).toContain('feedback-viewed');
    await grid.getByRole('button', { name: 'cls-001', exact: true }).click();
    const events = page.getByRole('list', { name: 'Events of cls-001' }).getByRole('listitem');
    await expect(events).toHaveCount(3);
    await expect(events.nth(0)).toContainText('snapshot hw2-capture-');
    await expect(events.nth(1)).toContainText('hw2 · feedback released hw2 (1 file) · by instructor');
    await expect(events.nth(2)).toContainText('hw2 · feedback opened by the student report.html · by cls-001');
    // Drawn by JupyterLab's Vega renderer, at the width of the pane.
    const canvas = page.locator('.jp-Coursework-DetailChart .vega-embed canvas');
    await expect(canvas).toBeVisible();
    expect((await canvas.boundingBox())!.width).toBeGreaterThan(250);
    await keepScreenshot(page.locator('#jp-main-dock-panel'), testInfo, 'class-timeline.png');

    // An assignment past its due time: captured at once (the three with homes; the others have none). The new column
    // arrives through the changes feed; its chart says when and how big, in a picture and in words.
    await course.createAssignment({ id: 'hw0', title: 'Homework 0', dueAt: new Date(Date.now() - 60_000).toISOString() });
    await expect(grid.getByRole('columnheader', { name: /Homework 0/ })).toBeVisible({ timeout: 15_000 });
    await expect
      .poll(
        async () => {
          const { students } = await course.assignmentStatus('hw0');
          return [students.filter((s) => s.status === 'captured').length, students.filter((s) => s.status === 'failed').length];
        },
        { timeout: 60_000 },
      )
      .toEqual([3, 297]);
    // Both the captures and the failures reach the grid through the changes feed.
    const hw0Cell = (student: string) => grid.locator(`[data-student="${student}"] [role="gridcell"][aria-colindex="2"]`);
    await expect(hw0Cell('cls-001')).toHaveAttribute('aria-label', /captured 20/, { timeout: 15_000 });
    await expect(hw0Cell('cls-004')).toHaveText('failed', { timeout: 15_000 });
    await actions.getByRole('combobox', { name: 'Assignment to act on' }).selectOption('hw0');
    await actions.getByRole('button', { name: 'Chart' }).click();
    const summary = page.locator('.jp-Coursework-ChartSummary');
    await expect(summary).toContainText('3 of 300 captured', { timeout: 15_000 });
    await expect(summary).toContainText('297 missing or failed');
    await expect(page.locator('.jp-Coursework-DetailChart .vega-embed canvas')).toBeVisible();
    await keepScreenshot(page.locator('#jp-main-dock-panel'), testInfo, 'class-chart.png');
  });

  test("opens from the launcher's Coursework card, which students do not get", async ({ page, browser, hub }) => {
    await logInToLab(page, hub, 'instructor');
    await dismissToasts(page);
    const card = page.locator('.jp-Launcher .jp-LauncherCard', { hasText: 'Class workspace' });
    await card.click();
    const grid = page.getByRole('grid', { name: 'The class: students and assignments' });
    await expect(grid.locator('[data-student="student1"]')).toBeVisible();
    await expect(page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current')).toContainText('Class: Demo 101');

    // Restored with the layout: the next visit to JupyterLab opens it again.
    await waitForSavedLayout(page, 'coursework-class:class');
    await page.reload();
    await expect(page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'Class: Demo 101' })).toBeVisible({ timeout: 30_000 });
    await expect(grid.locator('[data-student="student1"]')).toBeVisible();

    // The workspace's own course switcher moves it, and the panel with it.
    await page.getByRole('combobox', { name: 'Course of the workspace' }).selectOption({ label: 'Demo 201: Machine Learning' });
    await expect(page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current')).toContainText('Class: Demo 201', { timeout: 15_000 });
    await showInstructorPanel(page);
    await expect(
      page.locator('#coursework-instructor-panel').getByRole('combobox', { name: 'Course' }).locator('option:checked'),
    ).toHaveText('Demo 201: Machine Learning');
    await page
      .locator('#coursework-instructor-panel')
      .getByRole('combobox', { name: 'Course' })
      .selectOption({ label: 'Demo 101: Data Science' });
    await expect(page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'Class: Demo 101' })).toBeVisible({ timeout: 15_000 });

    const student = await browser.newPage();
    await logInToLab(student, hub, 'student1');
    await expect(student.locator('.jp-Launcher')).toBeVisible();
    await expect(student.locator('.jp-Launcher .jp-LauncherCard', { hasText: 'Class workspace' })).toHaveCount(0);
    await student.context().close();
  });
});
