/**
 * The class workspace at 1,000 students × 20 assignments: the first render, a full scroll and the longest frame
 * while scrolling, measured in the browser and reported (speed is the benchmark's business: nothing here asserts a
 * time), and the grid still drawing only the rows in view.
 */
import { CourseworkClient } from '@coursework/client';
import { expect, logInToLab, test } from './fixtures';
import { dismissToasts, forgetLayout, showInstructorPanel } from './lab-workspace';

const COURSE = 'class-1000';
const STUDENTS = Array.from({ length: 1000 }, (_, i) => `big-${String(i + 1).padStart(4, '0')}`);

test.describe('the class workspace at 1,000 × 20', () => {
  let admin: CourseworkClient;

  test.beforeAll(async ({ hub }) => {
    await hub.api('POST', '/groups/coursework-admins');
    await hub.api('POST', '/groups/coursework-admins/users', { users: ['instructor'] });
    admin = new CourseworkClient({ baseUrl: hub.serviceUrl, token: (await hub.issueToken('instructor')).token });
    await admin.createCourse({ id: COURSE, title: 'Class of 1000' });
    await admin.addRosterMembers(
      COURSE,
      STUDENTS.map((user) => ({ user })),
    );
    const course = admin.forCourse(COURSE);
    for (let a = 1; a <= 20; a++) {
      await course.createAssignment({ id: `a${a}`, dueAt: new Date(Date.now() + a * 86400_000).toISOString(), snapshotAtDue: false });
    }
  });

  test.afterAll(async ({ hub }) => {
    await admin.deleteCourse(COURSE, COURSE);
    await hub.api('DELETE', '/groups/coursework-admins/users', { users: ['instructor'] });
  });

  test.afterEach(async ({ page }) => forgetLayout(page));

  test('opens, scrolls end to end and back, drawing only the rows in view', async ({ page, hub }) => {
    await logInToLab(page, hub, 'instructor');
    await showInstructorPanel(page);
    await dismissToasts(page);
    const panel = page.locator('#coursework-instructor-panel');
    await panel.getByRole('combobox', { name: 'Course' }).selectOption(COURSE);
    await expect(panel.getByRole('button', { name: 'Class view' })).toBeVisible();

    // Timed in the page, from the click to the first row's drawing (Playwright's own queries stay off the clock).
    const rendered = page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const started = performance.now();
          const look = () =>
            document.querySelector('.jp-Coursework-ClassGrid [data-student="big-0001"]')
              ? resolve(performance.now() - started)
              : requestAnimationFrame(look);
          requestAnimationFrame(look);
        }),
    );
    await panel.getByRole('button', { name: 'Class view' }).click();
    const grid = page.getByRole('grid', { name: 'The class: students and assignments' });
    await expect(grid.locator('[data-student="big-0001"]')).toBeVisible();
    const firstRender = await rendered;
    await expect(grid).toHaveAttribute('aria-rowcount', '1001');
    await expect(grid).toHaveAttribute('aria-colcount', '21');

    const scrollStarted = await page.evaluate(() => performance.now());
    await grid.evaluate((node) => (node.scrollTop = node.scrollHeight));
    await expect(grid.locator('[data-student="big-1000"]')).toBeVisible();
    const fullScroll = (await page.evaluate(() => performance.now())) - scrollStarted;
    const longestFrame = await grid.evaluate(async (node) => {
      const frame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));
      let last = await frame();
      let longest = 0;
      for (let i = 100; i >= 0; i--) {
        node.scrollTop = (node.scrollHeight * i) / 100;
        const now = await frame();
        longest = Math.max(longest, now - last);
        last = now;
      }
      return longest;
    });
    expect(await grid.locator('.jp-Coursework-ClassRow').count()).toBeLessThan(80);
    await expect(grid.locator('[data-student="big-0001"]')).toBeVisible();
    console.log(
      `class workspace, 1000 × 20: first render ${firstRender.toFixed(0)} ms, full scroll ${fullScroll.toFixed(0)} ms, longest frame scrolling ${longestFrame.toFixed(0)} ms`,
    );
  });
});
