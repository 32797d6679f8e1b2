/**
 * Writes feedback files into one home. Runs as its own process, started by home-writer.ts with the uid and gid
 * of the home's owner: the kernel then refuses whatever that user could not write, so a symlink planted in the
 * home can lead nowhere the student could not already write to. On top of that it never follows a symlink,
 * never writes outside the home's real path, and never overwrites a file it did not write itself.
 *
 * Protocol: stdin holds one line of JSON (the plan) and then the files' bytes, one after another; stdout gets one
 * line of JSON per file (its result). It uses Node's built-in modules only, because it is started as `node -e`
 * by a user who may not be able to read the service's install.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';

export interface PlannedFile {
  /** Relative to the home, `/`-separated, already validated. */
  target: string;
  size: number;
  sha256: string;
  /** Hashes of versions written here before: a file with one of them may be replaced. */
  ours: string[];
  /** When a file the student owns is in the way: write next to it under a numbered name, or give up. */
  onExisting: 'keep-both' | 'refuse';
}

export interface Plan {
  home: string;
  files: PlannedFile[];
}

export interface ChildResult {
  status: 'written' | 'unchanged' | 'kept-both' | 'exists' | 'refused' | 'failed';
  path?: string;
  reason?: string;
}

class Refusal extends Error {}

/** Reads stdin as a line and then exact byte counts. */
class Input {
  private buffered = Buffer.alloc(0);
  private readonly iterator = process.stdin[Symbol.asyncIterator]() as AsyncIterator<Buffer>;

  private async more(): Promise<boolean> {
    const next = await this.iterator.next();
    if (next.done) return false;
    this.buffered = Buffer.concat([this.buffered, next.value]);
    return true;
  }

  async line(): Promise<string> {
    let end: number;
    while ((end = this.buffered.indexOf(10)) < 0) if (!(await this.more())) throw new Error('no plan on stdin');
    const text = this.buffered.subarray(0, end).toString('utf8');
    this.buffered = this.buffered.subarray(end + 1);
    return text;
  }

  async bytes(count: number): Promise<Buffer> {
    while (this.buffered.length < count) if (!(await this.more())) throw new Error('stdin ended early');
    const out = this.buffered.subarray(0, count);
    this.buffered = this.buffered.subarray(count);
    return out;
  }
}

async function lstatOrNull(file: string): Promise<Stats | null> {
  try {
    return await fs.lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Creates (or finds) each folder of the target below the home, refusing symlinks and non-folders. */
async function folderFor(home: string, parts: string[]): Promise<string> {
  let dir = home;
  let shown = '';
  for (const part of parts) {
    dir = path.join(dir, part);
    shown = shown ? `${shown}/${part}` : part;
    let stats = await lstatOrNull(dir);
    if (!stats) {
      try {
        await fs.mkdir(dir, { mode: 0o755 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      stats = await fs.lstat(dir);
    }
    if (stats.isSymbolicLink()) throw new Refusal(`${shown} is a symbolic link; nothing is written through it`);
    if (!stats.isDirectory()) throw new Refusal(`${shown} is not a folder`);
  }
  const [real, realHome] = await Promise.all([fs.realpath(dir), fs.realpath(home)]);
  if (real !== realHome && !real.startsWith(`${realHome}/`)) throw new Refusal('the folder resolves outside the home');
  return dir;
}

async function sha256Of(file: string): Promise<string> {
  const handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const hash = createHash('sha256');
    for await (const chunk of handle.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
    return hash.digest('hex');
  } finally {
    await handle.close();
  }
}

/** `report.html`, `report (2).html`, `report (3).html`, … */
function* candidates(name: string): Generator<string> {
  yield name;
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const extension = dot > 0 ? name.slice(dot) : '';
  for (let n = 2; n <= 100; n++) yield `${stem} (${n})${extension}`;
}

async function writeTemp(dir: string, name: string, bytes: Buffer): Promise<string> {
  const temp = path.join(dir, `.${name}.coursework-${randomBytes(6).toString('hex')}`);
  const handle = await fs.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temp;
}

async function place(home: string, file: PlannedFile, bytes: Buffer): Promise<ChildResult> {
  const parts = file.target.split('/');
  const name = parts.pop()!;
  const dir = await folderFor(home, parts);
  const relative = (candidate: string) => [...parts, candidate].join('/');
  for (const candidate of candidates(name)) {
    const full = path.join(dir, candidate);
    const stats = await lstatOrNull(full);
    let replace = false;
    if (stats) {
      const sameBytes = stats.isFile() && stats.size === file.size && (await sha256Of(full)) === file.sha256;
      if (sameBytes) return { status: 'unchanged', path: relative(candidate) };
      if (file.onExisting === 'refuse') return { status: 'exists', path: relative(candidate) };
      // Replace only a regular file holding bytes written here before; anything else is the student's.
      if (!stats.isFile() || !file.ours.includes(await sha256Of(full))) continue;
      replace = true;
    }
    const temp = await writeTemp(dir, candidate, bytes);
    try {
      if (replace) {
        await fs.rename(temp, full);
      } else {
        // link() fails if something appeared at the name meanwhile: never clobber.
        try {
          await fs.link(temp, full);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw error;
        }
      }
    } finally {
      await fs.rm(temp, { force: true });
    }
    return { status: candidate === name ? 'written' : 'kept-both', path: relative(candidate) };
  }
  return { status: 'exists', reason: 'too many files of that name are in the way', path: file.target };
}

export async function main(): Promise<void> {
  const input = new Input();
  const plan = JSON.parse(await input.line()) as Plan;
  for (const file of plan.files) {
    const bytes = await input.bytes(file.size);
    let result: ChildResult;
    try {
      result = await place(plan.home, file, bytes);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      result =
        error instanceof Refusal
          ? { status: 'refused', reason: error.message }
          : { status: 'failed', reason: code ? `${code} while writing` : 'could not write the file' };
    }
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
}

if (require.main === module || (module as { id?: string }).id === '[eval]') {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  });
}
