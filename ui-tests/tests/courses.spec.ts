/**
 * Two courses in JupyterLab (the demo's: Demo 101, the default, and Demo 201): the instructor of both switches
 * between them, a grader of one sees that one without the snapshot form, and a student of both sees feedback and
 * due dates by course.
 */
import { CourseworkClient, CourseworkError } from '@coursework/client';
import { callServiceFromLab, expect, logInToLab, test } from './fixtures';
import { runFromPalette } from './coursework-lab';
import { dismissToasts, forgetLayout, showInstructorPanel } from './lab-workspace';

const SECOND = 'demo-201';

test.describe('courses in JupyterLab', () => {
  test.afterEach(async ({ page }) => forgetLayout(page));
  // Later tests expect student3 to have had no feedback and only Demo 101's due dates: take back what these made.
  test.afterAll(async ({ hub }) => {
    const instructor = new CourseworkClient({ baseUrl: hub.serviceUrl, token: (await hub.issueToken('instructor')).token });
    const ignoreMissing = (error: unknown) => {
      if (!(error instanceof CourseworkError && error.status === 404)) throw error;
    };
    await instructor.withdrawFeedback('student3', 'courses-ps').catch(ignoreMissing);
    await instructor.forCourse(SECOND).withdrawFeedback('student3', 'proj').catch(ignoreMissing);
    await instructor.forCourse(SECOND).deleteAssignment('proj').catch(ignoreMissing);
    await instructor.deleteAssignment('courses-hw').catch(ignoreMissing);
    await instructor.removeRosterMember(SECOND, 'student5').catch(ignoreMissing);
  });

  test('the instructor of both courses switches between them, and the panel remembers the choice', async ({ page, hub }) => {
    await logInToLab(page, hub, 'instructor');
    await showInstructorPanel(page);
    const panel = page.locator('#coursework-instructor-panel');
    const course = panel.getByRole('combobox', { name: 'Course' });
    await expect(course.locator('option')).toHaveText(['Demo 101: Data Science', 'Demo 201: Machine Learning']);
    await expect(panel.getByRole('rowheader', { name: 'student1' })).toBeVisible();

    // The snapshots browser, open on Demo 101, follows the switch.
    await runFromPalette(page, 'Coursework: Browse snapshots');
    const snapshots = page.locator('#coursework-snapshots-browser .jp-DirListing-content');
    await expect(snapshots.locator('.jp-DirListing-item', { hasText: 'student1' })).toBeVisible();

    await course.selectOption(SECOND);
    await expect(snapshots.locator('.jp-DirListing-item', { hasText: 'student4' })).toBeVisible();
    await expect(snapshots.locator('.jp-DirListing-item', { hasText: 'student1' })).toHaveCount(0);
    await showInstructorPanel(page);
    const switched = page.locator('#coursework-instructor-panel');
    await expect(switched.getByRole('rowheader', { name: 'student4' })).toBeVisible();
    await expect(switched.getByRole('rowheader', { name: 'student3' })).toBeVisible();
    await expect(switched.getByRole('rowheader', { name: 'student1' })).toHaveCount(0);

    await page.reload();
    await page.locator('#jupyterlab-splash').waitFor({ state: 'detached', timeout: 60_000 });
    await showInstructorPanel(page);
    const again = page.locator('#coursework-instructor-panel');
    await expect(again.getByRole('combobox', { name: 'Course' })).toHaveValue(SECOND);
    await expect(again.getByRole('rowheader', { name: 'student4' })).toBeVisible();
  });

  test('a grader sees the course they grade with what they may do there only; the page’s token reaches that course only', async ({
    page,
    hub,
  }) => {
    await logInToLab(page, hub, 'grader');
    await showInstructorPanel(page);
    const panel = page.locator('#coursework-instructor-panel');
    await expect(panel.locator('.jp-Coursework-course')).toHaveText('Demo 201: Machine Learning');
    await expect(panel.getByRole('rowheader', { name: 'student4' })).toBeVisible();
    await expect(panel.getByRole('button', { name: 'Take snapshot' })).toHaveCount(0);
    // Assignments to read, none to create; the roster to read, without its forms.
    await expect(panel.getByRole('heading', { name: 'Assignments' })).toBeVisible();
    await expect(panel.getByRole('button', { name: 'Create assignment' })).toHaveCount(0);
    await panel.getByRole('button', { name: 'Roster' }).click();
    await expect(panel.getByRole('rowheader', { name: 'student4' }).last()).toBeVisible();
    await expect(panel.getByRole('button', { name: 'Add from CSV' })).toHaveCount(0);
    expect((await callServiceFromLab(page, `api/v1/courses/${SECOND}/students`)).status).toBe(200);
    expect((await callServiceFromLab(page, 'api/v1/students')).status).toBe(403);
  });

  test('a student of both courses sees their feedback and due dates by course', async ({ page, hub }) => {
    const instructor = new CourseworkClient({ baseUrl: hub.serviceUrl, token: (await hub.issueToken('instructor')).token });
    await instructor.releaseFeedback('student3', 'courses-ps', { 'comments.md': '# From Demo 101\n' });
    await instructor.createAssignment({ id: 'courses-hw', title: 'Data homework', dueAt: '2031-04-01T17:00:00Z' });
    const second = instructor.forCourse(SECOND);
    await second.createAssignment({ id: 'proj', title: 'ML project', dueAt: '2031-05-01T17:00:00Z' });
    await second.releaseFeedback('student3', 'proj', { 'review.md': '# From Demo 201\n' });

    await logInToLab(page, hub, 'student3');
    const section = page.locator('.jp-Coursework-FeedbackSection');
    const listing = section.locator('.jp-DirListing-content');
    const item = (name: string) => listing.locator('.jp-DirListing-item', { hasText: name });
    await expect(item('demo-101')).toBeVisible();
    await item(SECOND).dblclick();
    await item('proj').dblclick();
    await expect(item('review.md')).toBeVisible();

    const dueInSecond = section.locator(`.jp-Coursework-due-course[data-course="${SECOND}"]`);
    await expect(dueInSecond.locator('.jp-Coursework-due-course-title')).toHaveText('Demo 201: Machine Learning');
    await expect(dueInSecond.locator('li', { hasText: 'ML project' })).toBeVisible();
    const dueInFirst = section.locator('.jp-Coursework-due-course[data-course="demo-101"]');
    await expect(dueInFirst.locator('li', { hasText: 'Data homework' })).toBeVisible();
    await expect(dueInFirst.locator('li', { hasText: 'ML project' })).toHaveCount(0);
  });

  test('the instructor adds people to a course from a CSV file, sees each refused row, and removes one', async ({ page, hub }) => {
    await logInToLab(page, hub, 'instructor');
    await showInstructorPanel(page);
    await page.locator('#coursework-instructor-panel').getByRole('combobox', { name: 'Course' }).selectOption(SECOND);
    const roster = page.locator('#coursework-instructor-panel .jp-Coursework-RosterSection');
    await dismissToasts(page);
    await roster.getByRole('button', { name: 'Roster' }).click();
    await expect(roster.getByRole('rowheader', { name: 'student4' })).toBeVisible();
    await expect(roster.getByRole('row', { name: /grader/ })).toContainText('grader by group demo-201-graders');

    await roster.getByLabel('CSV: user[,role] per line').setInputFiles({
      name: 'roster.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('user,role\nstudent5,student\nNot A Name,student\n'),
    });
    await roster.getByRole('button', { name: 'Add from CSV' }).click();
    await expect(roster.locator('.jp-Coursework-message')).toHaveText('Added 1, changed 0, unchanged 0; 1 row refused, changing nothing');
    await expect(roster.getByRole('list', { name: 'Rows refused' })).toContainText('Row 3 (Not A Name): user: not a Hub user name');
    const added = roster.getByRole('row', { name: /student5/ });
    await expect(added).toContainText('student, added by instructor');

    await added.getByRole('button', { name: 'Remove student5' }).click();
    await expect(roster.getByRole('rowheader', { name: 'student5' })).toHaveCount(0);
  });
});
