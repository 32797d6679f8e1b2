import { callServiceFromLab, expect, logInToLab, test } from './fixtures';

test.describe('a course on the demo Hub', () => {
  test('the instructor logs in, JupyterLab starts, and its page token carries instructor rights', async ({ page, hub }, testInfo) => {
    await logInToLab(page, hub, 'instructor');
    await page.screenshot({ path: testInfo.outputPath('instructor-lab.png') });

    const me = await callServiceFromLab(page, 'api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ name: 'instructor', roles: ['instructor'] });

    const students = await callServiceFromLab(page, 'api/v1/students');
    expect(students.status).toBe(200);
    expect((students.body as { name: string }[]).map((s) => s.name)).toEqual(['student1', 'student2', 'student3']);
  });

  test("a student's page token carries student rights only", async ({ page, hub }) => {
    await logInToLab(page, hub, 'student1');
    const me = await callServiceFromLab(page, 'api/v1/me');
    expect(me.body).toMatchObject({ name: 'student1', roles: ['student'] });
    expect((await callServiceFromLab(page, 'api/v1/students')).status).toBe(403);
  });

  test("the service's own page logs a browser in through the Hub", async ({ page, hub }) => {
    await logInToLab(page, hub, 'student2');
    await page.goto(hub.serviceUrl);
    await expect(page.locator('#user')).toHaveText('student2');
    await expect(page.getByText('(student)')).toBeVisible();
  });
});
