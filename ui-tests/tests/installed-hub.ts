/**
 * A JupyterHub set up the way the README tells an admin to, from the built packages only: the two wheels copied into
 * a throwaway folder, installed with pip into a fresh venv there, and a `jupyterhub_config.py` whose only Coursework
 * line is the README's. Nothing it runs comes from the checkout (no Node.js, no proxy, no path of it); the fixture
 * checks that of every process it starts.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePorts, killerOfGroup, REPO } from '../../service/test/support/hub';
import { PASSWORD } from './fixtures';

const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';

export interface InstalledHub {
  url: string;
  dir: string;
  venv: string;
  homes: string;
  /** A call to the Hub's REST API as the admin service of its config. */
  api(method: string, apiPath: string, body?: unknown): Promise<Response>;
  /** Command lines and working directories of the Hub and everything it started. */
  processes(): { pid: number; cmdline: string; cwd: string }[];
  log(): string;
  stop(): Promise<void>;
}

/** The JupyterLab version the repository tests with, from its requirements.txt. */
function pinned(name: string): string {
  const line = readFileSync(path.join(REPO, 'requirements.txt'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}==`));
  if (!line) throw new Error(`${name} is not pinned in requirements.txt`);
  return line.trim();
}

const CONFIG = `import os

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ["HUB_PORT"])
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ["HUB_API_PORT"])
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:" + os.environ["PROXY_API_PORT"]
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = "${PASSWORD}"
c.Authenticator.allowed_users = {"instructor", "student1", "student2"}
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = os.path.abspath("homes/{username}")
c.Spawner.default_url = "/lab"
if os.geteuid() == 0:
    c.Spawner.args = ["--allow-root"]
c.JupyterHub.load_groups = {"instructors": {"users": ["instructor"]}, "students": {"users": ["student1", "student2"]}}
c.JupyterHub.services = [{"name": "admin-script", "api_token": os.environ["ADMIN_TOKEN"]}]
c.JupyterHub.load_roles = [{"name": "admin-script", "scopes": ["admin:users", "tokens"], "services": ["admin-script"]}]

from jupyterhub_coursework import configure; configure(c)
`;

function run(command: string, args: string[], cwd: string): void {
  execFileSync(command, args, { cwd, stdio: 'pipe', env: { PATH: SYSTEM_PATH, HOME: process.env.HOME ?? '/root' }, timeout: 600_000 });
}

export async function startInstalledHub(): Promise<InstalledHub> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coursework-installed-'));
  const venv = path.join(dir, 'venv');
  const homes = path.join(dir, 'homes');
  const wheels = readdirSync(path.join(REPO, 'dist')).filter((name) => /^jupyter(hub|lab)_coursework-.*\.whl$/.test(name));
  if (wheels.length !== 2) throw new Error(`expected the two wheels in dist/ (npm run package), found: ${wheels.join(', ') || 'none'}`);
  for (const wheel of wheels) copyFileSync(path.join(REPO, 'dist', wheel), path.join(dir, wheel));

  run(process.env.PYTHON ?? 'python3', ['-m', 'venv', venv], dir);
  run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', ...wheels.map((w) => `./${w}`), pinned('jupyterlab')], dir);

  for (const [user, files] of Object.entries({
    instructor: {},
    student1: { 'hw1.ipynb': '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}' },
    student2: { 'notes.txt': 'two' },
  })) {
    mkdirSync(path.join(homes, user), { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(homes, user, name), text);
  }
  writeFileSync(path.join(dir, 'jupyterhub_config.py'), CONFIG);

  const [port, hubPort, proxyApiPort, servicePort] = (await freePorts(4)) as [number, number, number, number];
  const adminToken = randomBytes(24).toString('hex');
  const logFile = path.join(dir, 'hub.log');
  const out = openSync(logFile, 'a');
  const hubProcess: ChildProcess = spawn(path.join(venv, 'bin', 'jupyterhub'), [], {
    cwd: dir,
    stdio: ['ignore', out, out],
    detached: true,
    // What an admin's shell would have: the system's PATH (whose Node.js, if any, is not 24), the venv activated.
    env: {
      PATH: `${path.join(venv, 'bin')}:${SYSTEM_PATH}`,
      HOME: process.env.HOME ?? '/root',
      HUB_PORT: String(port),
      HUB_API_PORT: String(hubPort),
      PROXY_API_PORT: String(proxyApiPort),
      ADMIN_TOKEN: adminToken,
      COURSEWORK_DATA_DIR: path.join(dir, 'data'),
      COURSEWORK_HOME_TEMPLATE: path.join(homes, '{username}'),
      COURSEWORK_SERVICE_PORT: String(servicePort),
      COURSEWORK_COURSE_ID: 'installed-101',
    },
  });
  closeSync(out);
  const killGroup = killerOfGroup(hubProcess);
  const url = `http://127.0.0.1:${port}`;
  const hub: InstalledHub = {
    url,
    dir,
    venv,
    homes,
    api: (method, apiPath, body) =>
      fetch(`${url}/hub/api${apiPath}`, {
        method,
        headers: { Authorization: `token ${adminToken}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    processes: () => processTree(hubProcess.pid!),
    log: () => readFileSync(logFile, 'utf8'),
    async stop() {
      if (hubProcess.exitCode === null) {
        const exited = new Promise((resolve) => hubProcess.once('exit', resolve));
        hubProcess.kill('SIGTERM');
        const timer = setTimeout(killGroup, 20000);
        await exited;
        clearTimeout(timer);
      }
      killGroup();
      process.removeListener('exit', killGroup);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (hubProcess.exitCode !== null) throw new Error(`JupyterHub exited (${hubProcess.exitCode}):\n${hub.log().slice(-4000)}`);
    const up = await fetch(`${url}/services/coursework/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return hub;
    if (Date.now() > deadline) {
      await hub.stop();
      throw new Error(`the installed Hub's service did not come up:\n${hub.log().slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** A process and everything it started (its descendants), from /proc. */
function processTree(root: number): { pid: number; cmdline: string; cwd: string }[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The fields after the command's closing parenthesis: state, ppid, ...
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (tree.has(parent) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  const found = [];
  for (const pid of tree) {
    try {
      found.push({
        pid,
        cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim(),
        cwd: readlinkSync(`/proc/${pid}/cwd`),
      });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
