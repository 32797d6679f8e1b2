/**
 * Several replicas of the service behind a real load balancer (HAProxy, round robin), as a large Hub runs them:
 * one PostgreSQL catalog, one shared data directory, registered with the Hub as an external service at the
 * balancer's address. Each replica gets what JupyterHub gives a managed service, from here.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO, type RunningHub, killerOfGroup } from './hub';

export interface ReplicaSet {
  ids: string[];
  /** Starts replica `i` (again, after a kill): resolves once it answers its health check. */
  start(i: number): Promise<void>;
  kill(i: number, signal?: NodeJS.Signals): void;
  /** What replica `i` printed (its JSON log lines). */
  log(i: number): string;
  stop(): Promise<void>;
}

export interface ReplicaOptions {
  hub: RunningHub;
  /** The token the Hub knows the service by (its COURSEWORK_SERVICE_API_TOKEN). */
  apiToken: string;
  balancerPort: number;
  ports: number[];
  /** COURSEWORK_* settings shared by every replica (catalog URL, data directory, homes…). */
  env: Record<string, string>;
}

/** Waits until `url` answers 200 (a health check); fails if `child` exits first or `ms` pass. */
export async function waitForHealth(url: string, what: string, child?: ChildProcess, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}) before answering`);
    const up = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return;
    if (Date.now() > deadline) throw new Error(`${what} did not answer within ${ms / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * HAProxy on `balancerPort` in front of the replicas at `ports` (round robin, health checks, a request to a replica
 * that just died sent to another); logs in `dir`. Resolves once it answers the service's health check.
 */
export async function startBalancer(dir: string, balancerPort: number, ports: readonly number[]): Promise<{ stop(): void }> {
  try {
    execFileSync('haproxy', ['-v']);
  } catch {
    throw new Error('HAProxy is needed for the replica tests and the benchmark: install it (Debian/Ubuntu: apt-get install haproxy)');
  }
  const config = path.join(dir, 'haproxy.cfg');
  writeFileSync(config, haproxyConfig(balancerPort, ports));
  const log = openSync(path.join(dir, 'haproxy.log'), 'a');
  const balancer = spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  const kill = killerOfGroup(balancer);
  await waitForHealth(`http://127.0.0.1:${balancerPort}/services/coursework/health`, `HAProxy (see ${dir}/haproxy.log)`, balancer, 30_000);
  return { stop: kill };
}

function haproxyConfig(balancerPort: number, ports: readonly number[]): string {
  return [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 120s',
    '  timeout server 120s',
    // A replica that answers slowly (a loaded machine) is not dead: a dead one refuses at once.
    '  timeout check 5s',
    // A request sent to a replica that just died goes to another one.
    '  retries 3',
    '  option redispatch',
    'frontend coursework',
    `  bind 127.0.0.1:${balancerPort}`,
    '  default_backend replicas',
    'backend replicas',
    '  balance roundrobin',
    '  option httpchk GET /services/coursework/health',
    '  default-server inter 500 fall 2 rise 1',
    ...ports.map((port, i) => `  server r${i + 1} 127.0.0.1:${port} check`),
    '',
  ].join('\n');
}

export async function startReplicas(options: ReplicaOptions): Promise<ReplicaSet> {
  const { hub, apiToken, balancerPort, ports } = options;
  const ids = ports.map((_, i) => `replica-${i + 1}`);
  const logFiles = ids.map((id) => path.join(hub.dir, `${id}.log`));
  const children: (ChildProcess | undefined)[] = [];
  const killers: (() => void)[] = [];
  const env = (i: number) => ({
    PATH: process.env.PATH ?? '',
    JUPYTERHUB_API_URL: `${hub.url}/hub/api`,
    JUPYTERHUB_API_TOKEN: apiToken,
    JUPYTERHUB_SERVICE_NAME: 'coursework',
    JUPYTERHUB_SERVICE_PREFIX: '/services/coursework/',
    JUPYTERHUB_SERVICE_URL: `http://127.0.0.1:${ports[i]}`,
    JUPYTERHUB_CLIENT_ID: 'service-coursework',
    JUPYTERHUB_OAUTH_CALLBACK_URL: '/services/coursework/oauth_callback',
    JUPYTERHUB_BASE_URL: '/',
    COURSEWORK_REPLICA_ID: ids[i]!,
    ...options.env,
  });

  const set: ReplicaSet = {
    ids,
    async start(i) {
      const out = openSync(logFiles[i]!, 'a');
      const child = spawn(process.execPath, [path.join(REPO, 'service', 'lib', 'main.js')], {
        stdio: ['ignore', out, out],
        detached: true,
        env: env(i),
      });
      closeSync(out);
      children[i] = child;
      killers[i] = killerOfGroup(child);
      await waitForHealth(`http://127.0.0.1:${ports[i]}/services/coursework/health`, ids[i]!, child).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}:\n${set.log(i).slice(-3000)}`);
      });
    },
    kill(i, signal = 'SIGKILL') {
      children[i]?.kill(signal);
    },
    log: (i) => readFileSync(logFiles[i]!, 'utf8'),
    async stop() {
      for (const kill of killers) kill();
    },
  };

  // Started together, as a Deployment's pods are: one migrates the catalog while the others wait on its lock.
  await Promise.all(ports.map((_, i) => set.start(i)));
  const balancer = await startBalancer(hub.dir, balancerPort, ports);
  killers.push(balancer.stop);
  await waitForHealth(`${hub.serviceUrl}health`, "the replicas through the Hub's proxy", undefined, 30_000);
  return set;
}
