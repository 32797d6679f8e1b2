import { expect, logInToLab, test } from './fixtures';

test.describe('the API documentation', () => {
  test('loads in the browser from the service alone, styled, with every operation', async ({ page, hub }) => {
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(`${hub.serviceUrl}api/docs`);
    await expect(page.getByRole('heading', { name: 'Coursework API', level: 1 })).toBeVisible();
    await expect(page.locator('#createSnapshots')).toContainText('/services/coursework/api/v1/snapshots');
    await expect(page.locator('#getMetrics')).toContainText('read:metrics');
    // The stylesheet applied: the page's CSP allowed it by its hash.
    expect(
      await page
        .locator('section.op')
        .first()
        .evaluate((el) => getComputedStyle(el).borderTopStyle),
    ).toBe('solid');
    await page.locator('#getJob a[href="#schema-Job"]').first().click();
    await expect(page.locator('#schema-Job')).toBeInViewport();
    expect(requests.filter((url) => !url.startsWith(hub.serviceUrl))).toEqual([]);
    expect(errors).toEqual([]);
  });

  test("opens from the instructor panel's help link in a new tab", async ({ page, hub }) => {
    await logInToLab(page, hub, 'instructor');
    await page.locator('.jp-SideBar.jp-mod-right [data-id="coursework-instructor-panel"]').click();
    const link = page.locator('#coursework-instructor-panel').getByRole('link', { name: 'API docs' });
    await expect(link).toHaveAttribute('target', '_blank');
    const opened = page.context().waitForEvent('page');
    await link.click();
    const docs = await opened;
    await expect(docs.getByRole('heading', { name: 'Coursework API', level: 1 })).toBeVisible();
    expect(docs.url()).toBe(`${hub.serviceUrl}api/docs`);
    await docs.close();
  });
});
