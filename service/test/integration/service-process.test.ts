/**
 * The built service as a process of its own, the way JupyterHub starts it, but without a Hub: what happens on a
 * bad setting, with the Hub's API unreachable, and on the signals the Hub stops services with.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, REPO } from '../support/hub';

const MAIN = path.join(REPO, 'service', 'lib', 'main.js');

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startService(env: Record<string, string>): Started {
  let output = '';
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function hubEnvironment(): Promise<Record<string, string>> {
  const deadHubPort = await freePort(); // nothing listens there
  return {
    JUPYTERHUB_API_URL: `http://127.0.0.1:${deadHubPort}/hub/api`,
    JUPYTERHUB_API_TOKEN: 'the-service-token-0123456789',
    JUPYTERHUB_SERVICE_PREFIX: '/services/coursework/',
    JUPYTERHUB_SERVICE_URL: `http://127.0.0.1:${await freePort()}`,
    JUPYTERHUB_OAUTH_CALLBACK_URL: '/services/coursework/oauth_callback',
    COURSEWORK_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'coursework-data-')),
  };
}

async function untilListening(started: Started, url: string): Promise<void> {
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) throw new Error(`service exited: ${started.output()}`);
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`service did not start: ${started.output()}`);
}

describe('the service process', () => {
  it('refuses to start on a bad setting, naming it', async () => {
    const env = await hubEnvironment();
    const started = startService({ ...env, COURSEWORK_AUTH_CACHE_TTL: 'forever' });
    expect(await started.exited).toBe(2);
    expect(started.output()).toContain('coursework: configuration error: COURSEWORK_AUTH_CACHE_TTL="forever" is invalid');
  });

  it('refuses to start without the Hub environment, saying who provides it', async () => {
    const started = startService({ COURSEWORK_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'coursework-data-')) });
    expect(await started.exited).toBe(2);
    expect(started.output()).toMatch(/JUPYTERHUB_API_URL is required \(JupyterHub sets it when it starts the service\)/);
  });

  it('answers health, and 503 JSON for tokens, while the Hub is unreachable; stops at once on SIGINT', async () => {
    const env = await hubEnvironment();
    const base = `${env.JUPYTERHUB_SERVICE_URL}/services/coursework/`;
    const started = startService(env);
    try {
      await untilListening(started, `${base}health`);
      const response = await fetch(`${base}api/v1/me`, { headers: { Authorization: 'token some-user-token-abcdef' } });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        status: 503,
        message: 'JupyterHub is unreachable: connection failed; try again shortly',
      });
    } finally {
      const stoppedAt = Date.now();
      started.child.kill('SIGINT');
      expect(await started.exited).toBe(0);
      expect(Date.now() - stoppedAt).toBeLessThan(3000);
    }
    expect(started.output()).not.toContain('some-user-token-abcdef');
    expect(started.output()).not.toContain('the-service-token-0123456789');
  });
});
