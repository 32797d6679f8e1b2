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

function haproxyConfig(balancerPort: number, ports: number[]): string {
  return [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 120s',
    '  timeout server 120s',
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
  try {
    execFileSync('haproxy', ['-v']);
  } catch {
    throw new Error('HAProxy is needed for the replica tests: install it (Debian/Ubuntu: apt-get install haproxy)');
  }
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
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`${ids[i]} exited (${child.exitCode}):\n${set.log(i).slice(-3000)}`);
        const up = await fetch(`http://127.0.0.1:${ports[i]}/services/coursework/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (up) return;
        if (Date.now() > deadline) throw new Error(`${ids[i]} did not answer within 60 s`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
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
  const config = path.join(hub.dir, 'haproxy.cfg');
  writeFileSync(config, haproxyConfig(balancerPort, ports));
  const balancer = spawn('haproxy', ['-db', '-f', config], {
    stdio: ['ignore', openSync(path.join(hub.dir, 'haproxy.log'), 'a'), openSync(path.join(hub.dir, 'haproxy.log'), 'a')],
    detached: true,
  });
  killers.push(killerOfGroup(balancer));
  const deadline = Date.now() + 30_000;
  while (
    !(await fetch(`${hub.serviceUrl}health`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline)
      throw new Error(`the replicas do not answer through the Hub's proxy:\n${readFileSync(path.join(hub.dir, 'haproxy.log'), 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return set;
}
