import { test as base, expect, type Page } from '@playwright/test';
import { type RunningHub, startHub } from '../../service/test/support/hub';

export const PASSWORD = 'ui-tests-password';

/** One real Hub (with the service) per worker. */
export const test = base.extend<object, { hub: RunningHub }>({
  hub: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const hub = await startHub({ env: { COURSEWORK_DEMO_PASSWORD: PASSWORD } });
      await use(hub);
      await hub.stop();
    },
    { scope: 'worker', timeout: 120_000 },
  ],
});

export { expect };

/** Logs in through the Hub's form and waits for the user's JupyterLab to be up. */
export async function logInToLab(page: Page, hub: Pick<RunningHub, 'url'>, user: string): Promise<void> {
  await page.goto(`${hub.url}/hub/login`);
  await page.locator('#username_input').fill(user);
  await page.locator('#password_input').fill(PASSWORD);
  await page.locator('#login_submit').click();
  await page.waitForURL(new RegExp(`/user/${user}/lab`), { timeout: 90_000 });
  await expect(page.locator('#jp-main-dock-panel')).toBeVisible({ timeout: 60_000 });
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached', timeout: 60_000 });
  // JupyterLab restores the layout after the splash goes: it collapses the side bars the saved (or default) layout
  // has closed, then opens a launcher if the main area is empty, and activates the main area's current tab, which
  // takes the keyboard. A side panel opened before that is closed again, and keys typed may go to the tab; so tests
  // start once a tab of the main area has the keyboard (every layout has one: the launcher stands in for none).
  await page.waitForFunction(
    () => {
      const main = document.querySelector('#jp-main-dock-panel');
      return main?.querySelector('.lm-DockPanel-widget') != null && main.contains(document.activeElement);
    },
    null,
    { timeout: 30_000 },
  );
}

/** Calls the service from inside the JupyterLab page, with the page's own token, as the extension will. */
export async function callServiceFromLab(page: Page, path: string): Promise<{ status: number; body: unknown }> {
  return page.evaluate(async (servicePath) => {
    const config = JSON.parse(document.getElementById('jupyter-config-data')!.textContent!) as { token: string; hubPrefix: string };
    const serviceUrl = config.hubPrefix.replace(/hub\/$/, 'services/coursework/');
    const response = await fetch(serviceUrl + servicePath, { headers: { Authorization: `token ${config.token}` } });
    return { status: response.status, body: await response.json() };
  }, path);
}
