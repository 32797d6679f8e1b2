/**
 * A real JupyterHub (with its configurable-http-proxy and the Coursework service it starts) on free loopback
 * ports, in a throwaway folder, for the integration tests. It loads the project's own demo config and
 * jupyterhub_config.d, so what is tested is what an admin installs.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type Catalog, openCatalog } from '../../src/catalog/catalog';
import { testDatabaseUrl } from './test-catalog';

/** The repository: the nearest folder above this file that holds the service (the benchmark runs a compiled copy). */
export const REPO = (() => {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'service', 'package.json'))) return dir;
  }
  throw new Error('not inside the repository');
})();
export const VENV_BIN = path.join(REPO, '.venv', 'bin');

export interface HubOptions {
  /** Extra environment for the Hub (and, for COURSEWORK_*, for the service). */
  env?: Record<string, string>;
  /** Wait for the service to answer through the proxy before returning (default); not when it runs elsewhere. */
  waitForService?: boolean;
}

export interface IssuedToken {
  token: string;
  id: string;
}

export interface RunningHub {
  /** Public URL of the proxy, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  serviceUrl: string;
  /** The port the service listens on itself (behind the proxy): for measuring the proxy's share. */
  servicePort: number;
  /** The Hub's own API, as the services it starts reach it (not through the proxy), e.g. http://127.0.0.1:41235/hub/api. */
  hubApiUrl: string;
  adminToken: string;
  /** Token of `test-lms`, a Hub service with the instruct scope, as an LMS integration would have. */
  lmsToken: string;
  /** Token of `test-prometheus`, a Hub service holding `read:metrics` only. */
  prometheusToken: string;
  dir: string;
  homes: string;
  hubProcess: ChildProcess;
  /** Everything the Hub, the proxy and the service printed. */
  log(): string;
  /** The service's catalog (SQLite in its data folder, or its PostgreSQL database), for assertions on rows. */
  openCatalog(): Catalog;
  /** A call to the Hub's REST API as the test admin. */
  api(method: string, apiPath: string, body?: unknown): Promise<Response>;
  /** Adds these users to the Hub; those it has already are left as they are. */
  addUsers(usernames: readonly string[]): Promise<void>;
  issueToken(user: string, request?: { scopes?: string[]; expires_in?: number }): Promise<IssuedToken>;
  revokeToken(user: string, id: string): Promise<void>;
  stop(): Promise<void>;
}

/** Kills `child`'s process group (the Hub started `detached`: it and what it started without a session of their own);
 * also when the tests' own process exits, whatever happens to them. */
export function killerOfGroup(child: ChildProcess): () => void {
  const kill = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', kill);
  return kill;
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/** `count` distinct free loopback ports: all held open together, so that no two are the same. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

async function waitFor(what: string, check: () => Promise<boolean>, child: ChildProcess, logFile: string, ms = 60000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`JupyterHub exited (${child.exitCode}) before ${what}:\n${tail(logFile)}`);
    }
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}:\n${tail(logFile)}`);
}

function tail(file: string): string {
  return readFileSync(file, 'utf8').split('\n').slice(-40).join('\n');
}

export async function startHub(options: HubOptions = {}): Promise<RunningHub> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coursework-hub-'));
  const homes = path.join(dir, 'homes');
  execFileSync(process.execPath, [path.join(REPO, 'scripts', 'demo-homes.js'), homes]);
  const [port, hubPort, proxyApiPort, servicePort] = (await freePorts(4)) as [number, number, number, number];
  const adminToken = randomBytes(24).toString('hex');
  const lmsToken = randomBytes(24).toString('hex');
  const prometheusToken = randomBytes(24).toString('hex');
  const logFile = path.join(dir, 'hub.log');
  const out = openSync(logFile, 'a');
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('COURSEWORK_')));
  // In the PostgreSQL project, the service's catalog is a new database on the run's cluster.
  const databaseUrl = await testDatabaseUrl();
  const hubProcess = spawn(
    path.join(VENV_BIN, 'jupyterhub'),
    ['-f', path.join(REPO, 'service', 'test', 'support', 'jupyterhub_config.py')],
    {
      cwd: dir,
      stdio: ['ignore', out, out],
      // Its own process group, so that the proxy and the service go down with it whatever happens to the tests.
      detached: true,
      env: {
        ...inherited,
        PATH: `${VENV_BIN}:${path.join(REPO, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
        COURSEWORK_DEMO_DIR: dir,
        COURSEWORK_DEMO_PORT: String(port),
        COURSEWORK_DEMO_HUB_PORT: String(hubPort),
        COURSEWORK_DEMO_PROXY_API_PORT: String(proxyApiPort),
        COURSEWORK_DEMO_EXTRA_USERS: 'outsider',
        COURSEWORK_SERVICE_PORT: String(servicePort),
        COURSEWORK_TEST_ADMIN_TOKEN: adminToken,
        COURSEWORK_TEST_LMS_TOKEN: lmsToken,
        COURSEWORK_TEST_PROMETHEUS_TOKEN: prometheusToken,
        ...(databaseUrl ? { COURSEWORK_DATABASE_URL: databaseUrl } : {}),
        ...options.env,
      },
    },
  );
  closeSync(out);
  const killGroup = killerOfGroup(hubProcess);
  const url = `http://127.0.0.1:${port}`;
  const serviceUrl = `${url}/services/coursework/`;

  const api = (method: string, apiPath: string, body?: unknown) =>
    fetch(`${url}/hub/api${apiPath}`, {
      method,
      headers: { Authorization: `token ${adminToken}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const hub: RunningHub = {
    url,
    serviceUrl,
    servicePort,
    hubApiUrl: `http://127.0.0.1:${hubPort}/hub/api`,
    adminToken,
    lmsToken,
    prometheusToken,
    dir,
    homes,
    hubProcess,
    log: () => readFileSync(logFile, 'utf8'),
    openCatalog: () => openCatalog({ url: databaseUrl, sqliteFile: path.join(dir, 'data', 'catalog.sqlite') }),
    api,
    async addUsers(usernames) {
      const response = await api('POST', '/users', { usernames });
      // 409: the Hub has every one of them already.
      if (response.status !== 201 && response.status !== 409)
        throw new Error(`could not add users: ${response.status} ${await response.text()}`);
    },
    async issueToken(user, request = {}) {
      const response = await api('POST', `/users/${user}/tokens`, { note: 'coursework test', expires_in: 3600, ...request });
      if (response.status !== 201) throw new Error(`could not issue a token for ${user}: ${response.status} ${await response.text()}`);
      const body = (await response.json()) as { token: string; id: string };
      return { token: body.token, id: body.id };
    },
    async revokeToken(user, id) {
      const response = await api('DELETE', `/users/${user}/tokens/${id}`);
      if (response.status !== 204) throw new Error(`could not revoke ${id}: ${response.status}`);
    },
    async stop() {
      if (hubProcess.exitCode === null) {
        hubProcess.kill('SIGCONT');
        const exited = new Promise((resolve) => hubProcess.once('exit', resolve));
        hubProcess.kill('SIGTERM');
        const timer = setTimeout(killGroup, 20000);
        await exited;
        clearTimeout(timer);
      }
      killGroup(); // anything the Hub left behind
      process.removeListener('exit', killGroup);
      rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    await waitFor('the Hub API', async () => (await fetch(`${url}/hub/api/`)).ok, hubProcess, logFile);
    if (options.waitForService !== false) {
      await waitFor('the service', async () => (await fetch(`${serviceUrl}health`)).ok, hubProcess, logFile);
      // On PostgreSQL, nothing may fall back to a SQLite file unnoticed.
      if (databaseUrl && existsSync(path.join(dir, 'data', 'catalog.sqlite'))) throw new Error('the service opened SQLite, not PostgreSQL');
    }
  } catch (error) {
    await hub.stop().catch(() => undefined);
    throw error;
  }
  return hub;
}
