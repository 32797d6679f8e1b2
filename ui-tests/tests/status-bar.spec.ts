/**
 * The students' status bar item: the next due time with a countdown (their own, with an extension), a badge while
 * feedback they have not looked at waits, and a click that opens the Feedback section.
 */
import { CourseworkClient } from '@coursework/client';
import { expect, logInToLab, test } from './fixtures';
import { forgetLayout } from './lab-workspace';

test.describe("a student's status bar", () => {
  let instructor: CourseworkClient;

  test.beforeAll(async ({ hub }) => {
    instructor = new CourseworkClient({ baseUrl: hub.serviceUrl, token: (await hub.issueToken('instructor')).token });
    const inHours = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();
    await instructor.createAssignment({ id: 'sb-soon', title: 'Soon', dueAt: inHours(3), snapshotAtDue: false });
    await instructor.createAssignment({ id: 'sb-later', title: 'Later', dueAt: inHours(50), snapshotAtDue: false });
    await instructor.grantExtension('sb-soon', 'student2', inHours(26));
    await instructor.releaseFeedback('student2', 'sb-feedback', { 'comments.md': '# Good work\n' });
  });

  test.afterAll(async () => {
    await instructor.deleteAssignment('sb-soon');
    await instructor.deleteAssignment('sb-later');
    await instructor.withdrawFeedback('student2', 'sb-feedback');
  });

  test.afterEach(async ({ page }) => forgetLayout(page));

  test('shows the next due time with the extension, a badge for new feedback, and opens the Feedback section', async ({ page, hub }) => {
    await logInToLab(page, hub, 'student2');
    const item = page.locator('#jp-main-statusbar .jp-Coursework-StatusItem-button');
    // student2's own due time for "Soon" is in 26 h (an extension): "Later", in 50 h, is not the next.
    await expect(item).toContainText(/^sb-soon due in 2[56] h/);
    await expect(item).toHaveAttribute('aria-label', /Soon \(Demo 101: Data Science\) is due .*, with your extension: in 2[56] h/);
    await expect(item.locator('.jp-Coursework-badge')).toHaveText('1 new');
    await expect(item).toHaveAttribute('aria-label', /New feedback: sb-feedback\./);

    // The Feedback section collapsed, the file browser closed: the item brings both back.
    await page.locator('.jp-FileBrowser .lm-AccordionPanel-title', { hasText: 'Feedback' }).click();
    await expect(page.locator('.jp-Coursework-FeedbackSection')).toBeHidden();
    await page.locator('.jp-SideBar.jp-mod-left [data-id="filebrowser"]').click();
    await expect(page.locator('#filebrowser')).toBeHidden();
    await item.click();
    await expect(page.locator('.jp-Coursework-FeedbackSection')).toBeVisible();
    await expect(page.locator('.jp-Coursework-FeedbackSection .jp-DirListing-item', { hasText: 'sb-feedback' })).toBeVisible();
  });
});
