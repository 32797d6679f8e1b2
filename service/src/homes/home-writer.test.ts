/**
 * The home writer, run for real (a child process) on a home owned by the test's own user: where files go, what it
 * refuses, and what it never overwrites. Writing as another user is tested against real system users in the
 * integration tests.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { type HomeWrite, writeIntoHome } from './home-writer';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

function write(target: string, text: string, options: Partial<HomeWrite> = {}): HomeWrite {
  const bytes = Buffer.from(text);
  return {
    target,
    size: bytes.length,
    sha256: sha(text),
    ours: [],
    onExisting: 'keep-both',
    content: async () => Readable.from([bytes]),
    ...options,
  };
}

let root: string;
let home: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'coursework-writer-'));
  home = path.join(root, 'home');
  mkdirSync(home);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('writing feedback into a home', () => {
  it('creates the folders and files, with the home owner and the bytes given', async () => {
    const results = await writeIntoHome(home, [
      write('feedback/ps1/report.html', '<p>well done</p>'),
      write('feedback/ps1/sub/notes.txt', 'n'),
    ]);
    expect(results).toEqual([
      { status: 'written', path: 'feedback/ps1/report.html' },
      { status: 'written', path: 'feedback/ps1/sub/notes.txt' },
    ]);
    const file = path.join(home, 'feedback/ps1/report.html');
    expect(readFileSync(file, 'utf8')).toBe('<p>well done</p>');
    expect(lstatSync(file).uid).toBe(lstatSync(home).uid);
    // No temporary files left behind.
    expect(readdirSync(path.join(home, 'feedback/ps1')).sort()).toEqual(['report.html', 'sub']);
  });

  it('writes nothing through a symlinked folder', async () => {
    const outside = path.join(root, 'outside');
    mkdirSync(outside);
    symlinkSync(outside, path.join(home, 'feedback'));
    const [result] = await writeIntoHome(home, [write('feedback/ps1/report.html', 'x')]);
    expect(result).toEqual({ status: 'refused', reason: 'feedback is a symbolic link; nothing is written through it' });
    expect(readdirSync(outside)).toEqual([]);
  });

  it('never replaces a symlink at the file name, even a dangling one', async () => {
    mkdirSync(path.join(home, 'feedback'));
    const target = path.join(root, 'planted.html');
    symlinkSync(target, path.join(home, 'feedback', 'report.html'));
    const [kept] = await writeIntoHome(home, [write('feedback/report.html', 'x')]);
    expect(kept).toEqual({ status: 'kept-both', path: 'feedback/report (2).html' });
    const [refused] = await writeIntoHome(home, [write('feedback/report.html', 'x', { onExisting: 'refuse' })]);
    expect(refused).toEqual({ status: 'exists', path: 'feedback/report.html' });
    expect(() => lstatSync(target)).toThrow();
    expect(lstatSync(path.join(home, 'feedback', 'report.html')).isSymbolicLink()).toBe(true);
  });

  it("keeps a student's own file and writes beside it; replaces a file it wrote; leaves identical bytes alone", async () => {
    writeFileSync(path.join(home, 'report.html'), 'my own notes');
    expect(await writeIntoHome(home, [write('report.html', 'v1')])).toEqual([{ status: 'kept-both', path: 'report (2).html' }]);
    expect(readFileSync(path.join(home, 'report.html'), 'utf8')).toBe('my own notes');
    // v1 is ours now: v2 replaces it, not the student's file (which is still kept beside it).
    expect(await writeIntoHome(home, [write('report.html', 'v2', { ours: [sha('v1')] })])).toEqual([
      { status: 'kept-both', path: 'report (2).html' },
    ]);
    expect(readFileSync(path.join(home, 'report (2).html'), 'utf8')).toBe('v2');
    expect(await writeIntoHome(home, [write('report.html', 'v2', { ours: [sha('v1')] })])).toEqual([
      { status: 'unchanged', path: 'report (2).html' },
    ]);
    expect(readFileSync(path.join(home, 'report.html'), 'utf8')).toBe('my own notes');
  });

  it('refuses a file where a folder is needed, and a missing home', async () => {
    writeFileSync(path.join(home, 'feedback'), 'a file');
    expect((await writeIntoHome(home, [write('feedback/x.txt', 'x')]))[0]).toEqual({
      status: 'refused',
      reason: 'feedback is not a folder',
    });
    expect((await writeIntoHome(path.join(root, 'nobody'), [write('x.txt', 'x')]))[0]!.status).toBe('refused');
  });

  it('keeps each file on its own bytes when several go in one run', async () => {
    const texts = Array.from({ length: 20 }, (_, i) => `file ${i} `.repeat(i * 1000 + 1));
    const results = await writeIntoHome(
      home,
      texts.map((text, i) => write(`many/${i}.txt`, text)),
    );
    expect(results.every((r) => r.status === 'written')).toBe(true);
    texts.forEach((text, i) => expect(readFileSync(path.join(home, `many/${i}.txt`), 'utf8')).toBe(text));
  });
});
