/**
 * Helpers for the tests of the JupyterLab extension: the Lab page's own calls to the service and to the Jupyter
 * server's contents API, UI shortcuts.
 */
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
    while (job.state !== 'done' && job.state !== 'failed') {
      await new Promise((resolve) => setTimeout(resolve, 300));
      job = await (await fetch(`${base}api/v1/jobs/${job.id}`, { headers })).json();
    }
    return job.name;
  }, name);
}

/** A file or folder of the user's home as the Jupyter server's contents API gives it, with the page's own token. */
export interface HomeModel {
  type: 'file' | 'directory' | 'notebook';
  format?: string | null;
  content?: unknown;
}

/** Reads `path` of the user's home (with its content); `null` when there is no such file or folder. */
export async function readInHome(page: Page, path: string): Promise<HomeModel | null> {
  return page.evaluate(async (filePath) => {
    const config = JSON.parse(document.getElementById('jupyter-config-data')!.textContent!) as { token: string; baseUrl: string };
    const response = await fetch(`${config.baseUrl}api/contents/${filePath}?content=1`, {
      headers: { Authorization: `token ${config.token}` },
    });
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`GET ${filePath}: ${response.status}`);
    return (await response.json()) as HomeModel;
  }, path);
}

/** Writes `path` into the user's home through the contents API. */
export async function saveInHome(page: Page, path: string, model: HomeModel): Promise<void> {
  const status = await page.evaluate(
    async ({ filePath, body }) => {
      const config = JSON.parse(document.getElementById('jupyter-config-data')!.textContent!) as { token: string; baseUrl: string };
      const response = await fetch(`${config.baseUrl}api/contents/${filePath}`, {
        method: 'PUT',
        headers: { Authorization: `token ${config.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return response.status;
    },
    { filePath: path, body: model },
  );
  expect([200, 201]).toContain(status);
}

/**
 * Opens "Release as feedback to…" on `name` in the file browser (read again first, for files just saved through
 * the API) and returns the dialog.
 */
export async function openReleaseDialog(page: Page, name: string): Promise<Locator> {
  await page.locator('#filebrowser [data-command="filebrowser:refresh"]').first().click();
  await page
    .locator('#filebrowser .jp-DirListing-content')
    .first()
    .locator('.jp-DirListing-item', { hasText: name })
    .click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Release as feedback to…' }).click();
  return page.locator('.jp-Dialog');
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
  await target
    .page()
    .locator('.Toastify__toast')
    .evaluateAll((toasts) => toasts.forEach((toast) => toast.remove()));
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
