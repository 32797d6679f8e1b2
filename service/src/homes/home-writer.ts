/**
 * Writes files into a user's home as the home's owner: a short-lived child process (home-writer-child) runs with
 * that uid and gid, so files come out owned by the student and the kernel enforces what the student may write.
 * A service that is not root can only write into homes it owns itself, and says so otherwise.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { ChildResult, Plan, PlannedFile } from './home-writer-child';

export type { ChildResult };

export interface HomeWrite extends PlannedFile {
  content: () => Promise<Readable>;
}

/**
 * The child's code as JavaScript: the compiled file beside this one, or, when running from the TypeScript sources
 * (the tests), the source compiled now, so that what is tested is the source and never a stale build.
 */
function childSource(): string {
  const compiled = path.join(__dirname, 'home-writer-child.js');
  let code: string;
  if (existsSync(compiled)) {
    code = readFileSync(compiled, 'utf8');
  } else {
    // TypeScript is there only where the sources are (a development dependency), which is where this runs.
    const ts = createRequire(__filename)('typescript') as typeof import('typescript');
    const source = readFileSync(path.join(__dirname, 'home-writer-child.ts'), 'utf8');
    code = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
  }
  // `node -e` wraps the code: a final comment line without its newline would swallow the wrapper's end.
  return `${code}\n`;
}

let cachedSource: string | undefined;

function allFailed(files: readonly PlannedFile[], status: ChildResult['status'], reason: string): ChildResult[] {
  return files.map(() => ({ status, reason }));
}

export async function writeIntoHome(home: string, files: readonly HomeWrite[], timeoutMs = 120_000): Promise<ChildResult[]> {
  if (files.length === 0) return [];
  const stats = await lstat(home).catch(() => null);
  if (!stats?.isDirectory()) return allFailed(files, 'refused', 'the home folder does not exist (or is not a plain folder)');
  const ownUid = process.getuid?.() ?? -1;
  if (ownUid !== 0 && stats.uid !== ownUid) {
    return allFailed(
      files,
      'failed',
      `the service runs as uid ${ownUid} and cannot write as uid ${stats.uid}, the home's owner: run it as root or deliver through the API only`,
    );
  }
  cachedSource ??= childSource();
  const plan: Plan = { home, files: files.map(({ content: _content, ...planned }) => planned) };
  const child = spawn(process.execPath, ['-e', cachedSource], {
    cwd: '/',
    env: {},
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(ownUid === 0 ? { uid: stats.uid, gid: stats.gid } : {}),
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text.slice(0, 2000)));
  const exited = new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(-1));
    child.on('close', (code) => resolve(code));
  });
  // A child that dies early makes writes fail with EPIPE; its exit status tells the story.
  child.stdin.on('error', () => undefined);
  try {
    child.stdin.write(`${JSON.stringify(plan)}\n`);
    for (const file of files) {
      const source = await file.content();
      for await (const chunk of source) {
        // Wait for the pipe to drain, or for the child to be gone (then no drain ever comes).
        if (!child.stdin.write(chunk as Buffer)) await Promise.race([once(child.stdin, 'drain'), exited]);
        if (child.exitCode !== null || child.signalCode !== null) throw new Error('the writer stopped');
      }
    }
  } catch {
    // reported through the results below
  } finally {
    child.stdin.end();
  }
  const code = await exited;
  clearTimeout(timer);
  const results = stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ChildResult);
  const why = code === 0 ? 'no answer' : `the writer stopped (${stderr.trim().split('\n')[0] || `exit ${code}`})`;
  return files.map((_, i) => results[i] ?? { status: 'failed', reason: why });
}
