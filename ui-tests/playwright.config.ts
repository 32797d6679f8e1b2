import { defineConfig } from '@playwright/test';

/**
 * Browser tests against a real JupyterHub + proxy + Coursework service + JupyterLab, started by the `hub` fixture.
 * They drive the system's Chromium (Debian's `chromium` package); Playwright never downloads a browser here.
 */
export default defineConfig({
  testDir: './tests',
  timeout: 120_000,
  workers: 1,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  outputDir: 'test-results',
  use: {
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // Offline-friendly: no background calls home, which a closed network refuses noisily.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
