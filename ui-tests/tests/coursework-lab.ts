/** Helpers for the tests of the JupyterLab extension: the Lab page's own calls to the service, UI shortcuts. */
import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

/** Starts a snapshot job from inside the Lab page (with its token) and waits for it to be done. */
export async function takeSnapshotFromLab(page: Page, name: string): Promise<string> {
  return page.evaluate(async (given) => {
    const config = JSON.parse(document.getElementById('jupyter-config-data')!.textContent!) as { token: string; hubPrefix: string };
    const base = config.hubPrefix.replace(/hub\/$/, 'services/coursework/');
    const headers = { Authorization: `token ${config.token}`, 'Content-Type': 'application/json' };
    const started = await fetch(`${base}api/v1/snapshots`, { method: 'POST', headers, body: JSON.stringify({ name: given }) });
    if (!started.ok) throw new Error(`POST snapshots: ${started.status} ${await started.text()}`);
    let { job } = (await started.json()) as { job: { id: string; state: string; name: string } };
    while (job.state !== 'done') {
      await new Promise((resolve) => setTimeout(resolve, 300));
      job = await (await fetch(`${base}api/v1/jobs/${job.id}`, { headers })).json();
    }
    return job.name;
  }, name);
}

/**
 * Runs a command through the command palette, by its label. The palette is modal and closes when something else
 * takes the keyboard (a side panel that JupyterLab restores while it settles), so it is opened again until the
 * command could be picked.
 */
export async function runFromPalette(page: Page, label: string): Promise<void> {
  const input = page.locator('.lm-CommandPalette-input');
  await expect(async () => {
    if (!(await input.isVisible())) {
      // A menu left open by an earlier attempt would take the next click.
      await page.keyboard.press('Escape');
      await page.getByRole('menuitem', { name: 'View' }).click({ timeout: 5000 });
      await page.getByRole('menuitem', { name: /Command Palette/ }).click({ timeout: 5000 });
    }
    await input.fill(label, { timeout: 3000 });
    await page.locator('.lm-CommandPalette-item', { hasText: label }).first().click({ timeout: 3000 });
  }).toPass({ timeout: 60_000 });
}

/**
 * A screenshot for the report, kept with the test's results; with UPDATE_SCREENSHOTS=1 also under
 * ui-tests/screenshots/ (the copies the README shows).
 */
export async function keepScreenshot(target: Locator, testInfo: TestInfo, name: string): Promise<void> {
  // JupyterLab's toasts (e.g. its question about news) float over the side bars.
  await target.page().locator('.Toastify__toast').evaluateAll((toasts) => toasts.forEach((toast) => toast.remove()));
  const file = testInfo.outputPath(name);
  await target.screenshot({ path: file });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    const dir = path.join(__dirname, '..', 'screenshots');
    mkdirSync(dir, { recursive: true });
    await target.screenshot({ path: path.join(dir, name) });
  }
}

export { expect };
