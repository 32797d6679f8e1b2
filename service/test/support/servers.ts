/**
 * Users' single-user servers started by a test Hub, and code run in a kernel one of them starts: what a user's
 * notebook does, with the server's own environment (its JUPYTERHUB_API_TOKEN, COURSEWORK_URL).
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunningHub } from './hub';

/** Starts `user`'s server through the Hub (if not running) and waits until it is ready. */
export async function startServer(hub: RunningHub, user: string): Promise<void> {
  const started = await hub.api('POST', `/users/${user}/server`);
  if (![201, 202, 400].includes(started.status))
    throw new Error(`could not start ${user}'s server: ${started.status} ${await started.text()}`);
  for (let i = 0; i < 300; i++) {
    const model = (await (await hub.api('GET', `/users/${user}`)).json()) as { servers?: Record<string, { ready: boolean }> };
    if (model.servers?.['']?.ready) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${user}'s server did not become ready`);
}

/** The environment of `user`'s running server of this Hub, read from its process. */
export function serverEnvironment(hub: RunningHub, user: string): Record<string, string> {
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    let environment: string[];
    try {
      environment = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    } catch {
      continue; // gone, or not ours
    }
    // This Hub's server of the user: other Hubs (other test runs) start servers for the same demo users.
    if (!environment.includes(`JUPYTERHUB_USER=${user}`) || !environment.includes(`HOME=${path.join(hub.homes, user)}`)) continue;
    if (!environment.some((entry) => entry.startsWith('JUPYTERHUB_API_TOKEN='))) continue;
    return Object.fromEntries(
      environment.filter(Boolean).map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
    );
  }
  throw new Error(`no running server of ${user} found`);
}

export interface Execution {
  stdout: string;
  stderr: string;
  /** What the cell's widgets showed (their state updates, as JSON): a tqdm bar in a notebook is one. */
  widgets: string;
  /** The exception's name and message, when the code raised one. */
  error?: string;
}

/** A kernel started by `user`'s server (through the Hub's proxy), which runs code as a notebook cell does. */
export class ServerKernel {
  private constructor(
    private readonly socket: WebSocket,
    private readonly session: string,
  ) {}

  static async start(hub: RunningHub, user: string): Promise<ServerKernel> {
    await startServer(hub, user);
    const headers = { Authorization: `token ${hub.adminToken}` };
    const api = `${hub.url}/user/${user}/api/kernels`;
    const created = await fetch(api, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: '{}' });
    if (created.status !== 201) throw new Error(`no kernel for ${user}: ${created.status} ${await created.text()}`);
    const { id } = (await created.json()) as { id: string };
    const session = randomUUID();
    const socket = new WebSocket(`${api.replace(/^http/, 'ws')}/${id}/channels?session_id=${session}`, { headers } as never);
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new Error(`the websocket of ${user}'s kernel did not open`));
    });
    return new ServerKernel(socket, session);
  }

  /** Runs `code` as a cell; answers its output once the kernel is idle again. */
  run(code: string, timeoutMs = 120000): Promise<Execution> {
    const msgId = randomUUID();
    const result: Execution = { stdout: '', stderr: '', widgets: '' };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the cell did not finish in ${timeoutMs} ms: ${JSON.stringify(result)}`)), timeoutMs);
      this.socket.onmessage = (event: MessageEvent) => {
        const message = JSON.parse(String(event.data)) as {
          msg_type: string;
          parent_header: { msg_id?: string };
          content: Record<string, unknown>;
        };
        if (message.parent_header.msg_id !== msgId) return;
        const content = message.content;
        if (message.msg_type === 'stream') result[content.name === 'stderr' ? 'stderr' : 'stdout'] += String(content.text);
        if (message.msg_type === 'error') result.error = `${String(content.ename)}: ${String(content.evalue)}`;
        if (message.msg_type === 'comm_open' || message.msg_type === 'comm_msg') result.widgets += `${JSON.stringify(content.data)}\n`;
        if (message.msg_type === 'status' && content.execution_state === 'idle') {
          clearTimeout(timer);
          resolve(result);
        }
      };
      this.socket.send(
        JSON.stringify({
          header: {
            msg_id: msgId,
            session: this.session,
            username: '',
            msg_type: 'execute_request',
            version: '5.3',
            date: new Date().toISOString(),
          },
          parent_header: {},
          metadata: {},
          content: { code, silent: false, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: true },
          channel: 'shell',
          buffers: [],
        }),
      );
    });
  }

  /** Runs `code` whose last line prints one JSON value, and answers that value. */
  async json<T>(code: string): Promise<T> {
    const result = await this.run(code);
    if (result.error) throw new Error(`the cell raised ${result.error}\n${result.stderr}`);
    const lines = result.stdout.trim().split('\n');
    return JSON.parse(lines[lines.length - 1]!) as T;
  }

  close(): void {
    this.socket.close();
  }
}
