import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { globToRegExp, walkHome, type WalkOptions } from './walk';

const OPTIONS: WalkOptions = { includeHidden: false, exclude: [], maxFileBytes: 1_000_000, maxHomeBytes: 10_000_000 };

let root: string;
let home: string;
let socket: Server | undefined;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'coursework-walk-'));
  home = path.join(root, 'home');
  mkdirSync(home);
});
afterEach(async () => {
  if (socket) await new Promise((resolve) => socket!.close(resolve));
  socket = undefined;
  rmSync(root, { recursive: true, force: true });
});

const write = (relative: string, content: string | Buffer = 'x') => {
  mkdirSync(path.dirname(path.join(home, relative)), { recursive: true });
  writeFileSync(path.join(home, relative), content);
};

async function walk(options: Partial<WalkOptions> = {}) {
  const result = await walkHome(home, { ...OPTIONS, ...options });
  if (result === 'no-home') throw new Error('no home');
  return {
    files: result.entries.filter((e) => e.type === 'file').map((e) => e.path),
    links: result.entries.filter((e) => e.type === 'symlink').map((e) => e.path),
    skipped: Object.fromEntries(result.skipped.map((s) => [s.path, s.reason])),
    bytes: result.bytes,
  };
}

describe('the walk of a home', () => {
  it('takes regular files in name order, folder by folder, with their sizes', async () => {
    write('b.ipynb', '12345');
    write('a/z.py', '12');
    write('a/deeper/y.txt', '1');
    expect(await walk()).toEqual({ files: ['a/deeper/y.txt', 'a/z.py', 'b.ipynb'], links: [], skipped: {}, bytes: 8 });
  });

  it('runs its pace before each folder it reads, and only then', async () => {
    write('a/b/c.txt');
    write('a/d.txt');
    write('e/f.txt');
    write('g.txt');
    let paces = 0;
    const result = await walkHome(home, OPTIONS, async () => void paces++);
    expect(result).not.toBe('no-home');
    // The home, a, a/b and e.
    expect(paces).toBe(4);
  });

  it('records symlinks and never follows them, whether they point out of the home, at a folder or nowhere', async () => {
    write('work.py');
    symlinkSync('/etc/passwd', path.join(home, 'passwd'));
    symlinkSync('/etc', path.join(home, 'etc'));
    symlinkSync(path.join(root, 'nowhere'), path.join(home, 'dangling'));
    const result = await walk();
    expect(result.files).toEqual(['work.py']);
    expect(result.links).toEqual(['dangling', 'etc', 'passwd']);
  });

  it('never opens FIFOs or sockets, and says why they were left out', async () => {
    execFileSync('mkfifo', [path.join(home, 'pipe')]);
    socket = createServer();
    await new Promise<void>((resolve) => socket!.listen(path.join(home, 'sock'), resolve));
    expect((await walk()).skipped).toEqual({ pipe: 'fifo', sock: 'socket' });
  });

  it('leaves hidden entries out unless asked, and honours exclude patterns at any depth', async () => {
    write('.ssh/id_rsa');
    write('.bashrc');
    write('notes.tmp');
    write('deep/er/cache.tmp');
    write('node_modules/pkg/index.js');
    write('keep.ipynb');
    const result = await walk({ exclude: ['*.tmp', 'node_modules'] });
    expect(result.files).toEqual(['keep.ipynb']);
    expect(result.skipped).toEqual({
      '.bashrc': 'hidden',
      '.ssh': 'hidden',
      'deep/er/cache.tmp': 'excluded',
      node_modules: 'excluded',
      'notes.tmp': 'excluded',
    });
    expect((await walk({ includeHidden: true, exclude: ['*.tmp', 'node_modules'] })).files).toEqual([
      '.bashrc',
      '.ssh/id_rsa',
      'keep.ipynb',
    ]);
  });

  it('keeps to the caps: a file over the file cap, and what would pass the home cap, are left out', async () => {
    write('a-small.txt', 'x'.repeat(400));
    writeFileSync(path.join(home, 'huge.bin'), '');
    truncateSync(path.join(home, 'huge.bin'), 5_000_000_000); // sparse: 5 GB on paper, nothing read
    write('b-medium.txt', 'x'.repeat(700));
    write('c-small.txt', 'x'.repeat(100));
    const result = await walk({ maxFileBytes: 1_000_000, maxHomeBytes: 1_000 });
    expect(result.files).toEqual(['a-small.txt', 'c-small.txt']);
    expect(result.skipped).toEqual({ 'b-medium.txt': 'over-home-cap', 'huge.bin': 'over-file-cap' });
    expect(result.bytes).toBe(500);
  });

  it('takes odd but servable names, and leaves out names that cannot be served back safely', async () => {
    write('Übung 1 (final).ipynb');
    write('日本語.py');
    write('with\nnewline.txt');
    write('back\\slash.txt');
    write(`${'n'.repeat(200)}é`);
    const result = await walk();
    expect(result.files).toEqual([`${'n'.repeat(200)}é`, 'Übung 1 (final).ipynb', '日本語.py']);
    expect(result.skipped).toEqual({ 'back\\slash.txt': 'unusable-name', 'with\nnewline.txt': 'unusable-name' });
  });

  it('finds no home where there is none, or where the home is a symlink', async () => {
    expect(await walkHome(path.join(root, 'missing'), OPTIONS)).toBe('no-home');
    symlinkSync(home, path.join(root, 'link'));
    expect(await walkHome(path.join(root, 'link'), OPTIONS)).toBe('no-home');
    write('file');
    expect(await walkHome(path.join(home, 'file'), OPTIONS)).toBe('no-home');
  });
});

describe('exclude patterns', () => {
  it('match as .gitignore patterns do', () => {
    const matches = (pattern: string, relative: string) => globToRegExp(pattern).test(relative);
    expect(matches('*.tmp', 'a/b/c.tmp')).toBe(true);
    expect(matches('*.tmp', 'c.tmpx')).toBe(false);
    expect(matches('data/*.csv', 'data/x.csv')).toBe(true);
    expect(matches('data/*.csv', 'other/data/x.csv')).toBe(false);
    expect(matches('**/cache', 'a/b/cache/file')).toBe(true);
    expect(matches('build/', 'build/out.js')).toBe(true);
    expect(matches('?.py', 'a.py')).toBe(true);
    expect(matches('?.py', 'ab.py')).toBe(false);
    expect(matches('a+b(1).txt', 'a+b(1).txt')).toBe(true);
  });
});
