/**
 * JupyterLab saves each user's layout (open side panels) on their server, and the next test of that user starts
 * from it. Tests that open side panels put the layout back with this, so that no other test depends on their order.
 */
import { expect, type Page } from '@playwright/test';

export async function forgetLayout(page: Page): Promise<void> {
  if (page.isClosed() || !page.url().includes('/lab')) return;
  const config = await page
    .evaluate(
      () => JSON.parse(document.getElementById('jupyter-config-data')?.textContent ?? 'null') as { token: string; baseUrl: string } | null,
    )
    .catch(() => null);
  if (!config) return;
  const origin = new URL(page.url()).origin;
  // Leave JupyterLab first: it saves the layout on changes, and must not save it again after the reset.
  await page.goto('about:blank');
  await page.request.delete(`${origin}${config.baseUrl}lab/api/workspaces/default`, {
    headers: { Authorization: `token ${config.token}` },
  });
}

/** Shows the instructor panel: a click on its side bar tab, unless a restored layout shows it already. */
export async function showInstructorPanel(page: Page): Promise<void> {
  const tab = page.locator('.jp-SideBar.jp-mod-right [data-id="coursework-instructor-panel"]');
  const panel = page.locator('#coursework-instructor-panel');
  await tab.waitFor({ timeout: 30_000 });
  if (!(await panel.isVisible())) await tab.click();
  await panel.waitFor({ state: 'visible' });
}

/** JupyterLab's toasts (e.g. its question about news) float over the bottom of the side bars, where forms are. */
export async function dismissToasts(page: Page): Promise<void> {
  await page.locator('.Toastify__toast').evaluateAll((toasts) => toasts.forEach((toast) => toast.remove()));
}

/** Waits until JupyterLab has saved a layout that holds `key` (a restored widget's name, e.g. `coursework-class:class`). */
export async function waitForSavedLayout(page: Page, key: string): Promise<void> {
  const config = await page.evaluate(
    () => JSON.parse(document.getElementById('jupyter-config-data')?.textContent ?? 'null') as { token: string; baseUrl: string },
  );
  const url = `${new URL(page.url()).origin}${config.baseUrl}lab/api/workspaces/default`;
  await expect
    .poll(async () => (await page.request.get(url, { headers: { Authorization: `token ${config.token}` } })).text(), { timeout: 20_000 })
    .toContain(key);
}
