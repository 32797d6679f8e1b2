import { expect, test } from './fixtures';

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
});
