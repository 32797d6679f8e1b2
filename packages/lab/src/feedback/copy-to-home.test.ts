import type { Contents, ServerConnection } from '@jupyterlab/services';
import { copyFeedbackToHome, copySummary, type ContentsAccess, freeName } from './copy-to-home';
import { FeedbackDrive } from './feedback-drive';
import { fakeService, json } from '../testing/fake-service';

const FEEDBACK = '/services/coursework/api/v1/me/feedback';
const notebook = { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 };
const at = '2026-11-23T10:00:00.000Z';
const released = (...paths: string[]) => paths.map((path) => ({ path, size: 1, sha256: 'a'.repeat(64), releasedAt: at }));

/**
 * The user's files, as a map of path → saved model. Like the Jupyter server, it writes a file only into a folder
 * that exists (the home itself always does).
 */
function home(existing: Record<string, 'file' | 'directory'> = {}) {
  const saved = new Map<string, Partial<Contents.IModel>>(
    Object.entries(existing).map(([path, type]) => [path, { type, content: 'theirs' }]),
  );
  const contents: ContentsAccess = {
    get: async (path) => {
      if (!saved.has(path)) throw new Error('404');
      return saved.get(path) as Contents.IModel;
    },
    save: async (path, options) => {
      const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
      if (parent !== '' && saved.get(parent)?.type !== 'directory') throw new Error(`No such directory: ${parent}`);
      saved.set(path, options ?? {});
      return options as Contents.IModel;
    },
  };
  return { contents, saved };
}

function drive() {
  const service = fakeService({
    [`GET ${FEEDBACK}`]: () =>
      json({
        items: [
          {
            assignment: 'ps1',
            course: { id: 'demo-101', title: 'Demo 101' },
            releasedAt: at,
            files: released('graded/ps1.ipynb', 'graded/notes/deep/a.txt', 'report.html', 'plot.png'),
          },
          { assignment: 'ps2', course: { id: 'demo-101', title: 'Demo 101' }, releasedAt: at, files: released('first.txt', 'gone.txt') },
        ],
      }),
    [`GET ${FEEDBACK}/ps1/files/graded/ps1.ipynb`]: () => new Response(JSON.stringify(notebook)),
    [`GET ${FEEDBACK}/ps1/files/graded/notes/deep/a.txt`]: () => new Response('deep'),
    [`GET ${FEEDBACK}/ps1/files/report.html`]: () => new Response('<p>ok</p>'),
    [`GET ${FEEDBACK}/ps1/files/plot.png`]: () => new Response(new Uint8Array([0x89, 0x50, 0xff])),
    [`GET ${FEEDBACK}/ps2/files/first.txt`]: () => new Response('first'),
    [`GET ${FEEDBACK}/ps2/files/gone.txt`]: () => json({ status: 404, message: 'Not found' }, 404),
  });
  return new FeedbackDrive({ connection: service.connection, serverSettings: {} as ServerConnection.ISettings });
}

describe('freeName', () => {
  it('keeps the name when it is free, else adds -feedback, -feedback-2 before the extension', async () => {
    const taken = new Set(['work/report.html', 'work/report-feedback.html']);
    const exists = async (path: string) => taken.has(path);
    expect(await freeName('work', 'notes.md', exists)).toBe('work/notes.md');
    expect(await freeName('work', 'report.html', exists)).toBe('work/report-feedback-2.html');
    expect(await freeName('', 'README', async (p) => p === 'README')).toBe('README-feedback');
  });

  it('adds the suffix at the end of a folder’s name, dots or not', async () => {
    const taken = new Set(['ps1', 'ps1-feedback', 'v1.2']);
    const exists = async (path: string) => taken.has(path);
    expect(await freeName('', 'ps1', exists, 'directory')).toBe('ps1-feedback-2');
    expect(await freeName('', 'v1.2', exists, 'directory')).toBe('v1.2-feedback');
  });
});

describe('copyFeedbackToHome', () => {
  it('saves a notebook as a notebook, text as text, binary as base64, into the folder given', async () => {
    const { contents, saved } = home({ course: 'directory' });
    const d = drive();
    expect(await copyFeedbackToHome(d, contents, 'ps1/graded/ps1.ipynb', '')).toEqual({ kind: 'file', path: 'ps1.ipynb', files: 1 });
    expect(await copyFeedbackToHome(d, contents, 'ps1/report.html', 'course')).toEqual({
      kind: 'file',
      path: 'course/report.html',
      files: 1,
    });
    expect(await copyFeedbackToHome(d, contents, 'ps1/plot.png', '')).toEqual({ kind: 'file', path: 'plot.png', files: 1 });
    expect(saved.get('ps1.ipynb')).toEqual({ type: 'notebook', format: 'json', content: notebook });
    expect(saved.get('course/report.html')).toEqual({ type: 'file', format: 'text', content: '<p>ok</p>' });
    expect(saved.get('plot.png')).toEqual({ type: 'file', format: 'base64', content: 'iVD/' });
  });

  it('copies a whole assignment as a folder, with its subfolders and each file in its format', async () => {
    const { contents, saved } = home();
    expect(await copyFeedbackToHome(drive(), contents, 'ps1', '')).toEqual({ kind: 'directory', path: 'ps1', files: 4 });
    expect([...saved.keys()]).toEqual([
      'ps1',
      'ps1/graded',
      'ps1/graded/notes',
      'ps1/graded/notes/deep',
      'ps1/graded/ps1.ipynb',
      'ps1/graded/notes/deep/a.txt',
      'ps1/report.html',
      'ps1/plot.png',
    ]);
    expect(saved.get('ps1/graded')).toEqual({ type: 'directory' });
    expect(saved.get('ps1/graded/ps1.ipynb')).toEqual({ type: 'notebook', format: 'json', content: notebook });
    expect(saved.get('ps1/graded/notes/deep/a.txt')).toEqual({ type: 'file', format: 'text', content: 'deep' });
    expect(saved.get('ps1/plot.png')).toEqual({ type: 'file', format: 'base64', content: 'iVD/' });
  });

  it('copies a subfolder under its own name, with the paths below it', async () => {
    const { contents, saved } = home({ course: 'directory' });
    expect(await copyFeedbackToHome(drive(), contents, 'ps1/graded/', 'course')).toEqual({
      kind: 'directory',
      path: 'course/graded',
      files: 2,
    });
    expect([...saved.keys()].filter((path) => path.startsWith('course/'))).toEqual([
      'course/graded',
      'course/graded/notes',
      'course/graded/notes/deep',
      'course/graded/ps1.ipynb',
      'course/graded/notes/deep/a.txt',
    ]);
  });

  it('never writes over a file or into a folder of the user', async () => {
    const { contents, saved } = home({ 'report.html': 'file', ps1: 'directory', 'ps1/report.html': 'file', 'ps1-feedback': 'file' });
    expect(await copyFeedbackToHome(drive(), contents, 'ps1/report.html', '')).toMatchObject({ path: 'report-feedback.html' });
    expect(await copyFeedbackToHome(drive(), contents, 'ps1', '')).toMatchObject({ path: 'ps1-feedback-2', files: 4 });
    for (const path of ['report.html', 'ps1', 'ps1/report.html', 'ps1-feedback'])
      expect(saved.get(path)).toMatchObject({ content: 'theirs' });
    expect(saved.get('ps1-feedback-2/report.html')).toEqual({ type: 'file', format: 'text', content: '<p>ok</p>' });
  });

  it('fails, saving nothing, when the service does not give the file, or the path names no feedback', async () => {
    const { contents, saved } = home();
    await expect(copyFeedbackToHome(drive(), contents, 'ps2/gone.txt', '')).rejects.toMatchObject({ status: 404 });
    await expect(copyFeedbackToHome(drive(), contents, 'ps1/missing', '')).rejects.toMatchObject({ status: 404 });
    await expect(copyFeedbackToHome(drive(), contents, 'ps3', '')).rejects.toMatchObject({ status: 404 });
    await expect(copyFeedbackToHome(drive(), contents, '', '')).rejects.toThrow(/not an item of feedback/);
    expect(saved.size).toBe(0);
  });

  it('says how far a folder got when a file fails, and where the rest is', async () => {
    const { contents, saved } = home();
    const failure = copyFeedbackToHome(drive(), contents, 'ps2', '');
    await expect(failure).rejects.toThrow('stopped after 1 of 2 files, in ps2: Not found (HTTP 404)');
    await expect(failure).rejects.toMatchObject({ cause: { status: 404 } });
    expect([...saved.keys()]).toEqual(['ps2', 'ps2/first.txt']);
  });
});

describe('copySummary', () => {
  it('names the new file, or counts the files of the new folder', () => {
    expect(copySummary('report.md', { kind: 'file', path: 'work/report.md', files: 1 })).toBe('Copied report.md to work/report.md');
    expect(copySummary('ps1', { kind: 'directory', path: 'ps1-feedback', files: 3 })).toBe('Copied 3 files of ps1 to ps1-feedback');
    expect(copySummary('graded', { kind: 'directory', path: 'graded', files: 1 })).toBe('Copied 1 file of graded to graded');
  });
});
