import type { Contents } from '@jupyterlab/services';
import { toBase64 } from '../common/content';
import {
  collectReleaseFiles,
  type ContentsReader,
  releaseRequestOf,
  releaseSelection,
  releaseSummary,
  suggestedAssignment,
} from './release-files';

type Entry = { type: 'directory' } | { type: 'file' | 'notebook'; format: Contents.FileFormat; content: unknown };

/** A contents manager over a fixed tree, answering as the Jupyter server does (listings without content). */
function fakeContents(tree: Record<string, Entry>): ContentsReader & { reads: string[] } {
  const reads: string[] = [];
  const model = (path: string, entry: Entry, content: unknown): Contents.IModel => ({
    name: path.split('/').pop()!,
    path,
    type: entry.type,
    writable: true,
    created: '',
    last_modified: '',
    mimetype: '',
    format: content === null ? null : entry.type === 'directory' ? 'json' : entry.format,
    content,
  });
  return {
    reads,
    async get(path: string, options?: Contents.IFetchOptions) {
      reads.push(path);
      const entry = tree[path];
      if (!entry) throw new Error(`No such file: ${path}`);
      if (entry.type !== 'directory') return model(path, entry, options?.content ? entry.content : null);
      const children = Object.keys(tree)
        .filter((p) => p.startsWith(`${path}/`) && !p.slice(path.length + 1).includes('/'))
        .map((p) => model(p, tree[p]!, null));
      return model(path, entry, options?.content ? children : null);
    },
  } as ContentsReader & { reads: string[] };
}

const notebook = { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 };
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255]);
const tree: Record<string, Entry> = {
  'grading/ps1': { type: 'directory' },
  'grading/ps1/report.md': { type: 'file', format: 'text', content: '# Well done\n' },
  'grading/ps1/graded.ipynb': { type: 'notebook', format: 'json', content: notebook },
  'grading/ps1/plots': { type: 'directory' },
  'grading/ps1/plots/fit.png': { type: 'file', format: 'base64', content: `${toBase64(png)}\n` },
  'grading/ps1/.ipynb_checkpoints': { type: 'directory' },
  'grading/ps1/.ipynb_checkpoints/graded-checkpoint.ipynb': { type: 'notebook', format: 'json', content: notebook },
  'notes.txt': { type: 'file', format: 'text', content: 'hello' },
};

describe('collectReleaseFiles', () => {
  it('takes a folder’s files recursively under their paths within it, leaving hidden ones out', async () => {
    const contents = fakeContents(tree);
    const files = await collectReleaseFiles(contents, [{ path: 'grading/ps1', type: 'directory' }]);
    expect(Object.keys(files).sort()).toEqual(['graded.ipynb', 'plots/fit.png', 'report.md']);
    expect(files['report.md']).toBe('# Well done\n');
    expect(JSON.parse(files['graded.ipynb'] as string)).toEqual(notebook);
    // Notebooks are written as Jupyter writes them: one-space indent and a final newline.
    expect(files['graded.ipynb']).toBe(`${JSON.stringify(notebook, null, 1)}\n`);
    expect(files['plots/fit.png']).toEqual(png);
    expect(contents.reads).not.toContain('grading/ps1/.ipynb_checkpoints');
  });

  it('takes a file under its name, and with several items each folder under its own name', async () => {
    const contents = fakeContents(tree);
    expect(await collectReleaseFiles(contents, [{ path: 'notes.txt', type: 'file' }])).toEqual({ 'notes.txt': 'hello' });
    const both = await collectReleaseFiles(contents, [
      { path: 'notes.txt', type: 'file' },
      { path: 'grading/ps1/plots', type: 'directory' },
    ]);
    expect(Object.keys(both).sort()).toEqual(['notes.txt', 'plots/fit.png']);
  });

  it('suggests a single folder’s name as the assignment', () => {
    expect(suggestedAssignment([{ path: 'grading/ps1', type: 'directory' }])).toBe('ps1');
    expect(suggestedAssignment([{ path: 'notes.txt', type: 'file' }])).toBe('');
    expect(suggestedAssignment([])).toBe('');
  });
});

describe('releaseSelection', () => {
  it('releases the files to the student with the options, and refuses an empty selection', async () => {
    const calls: unknown[][] = [];
    const client = {
      releaseFeedback: async (...args: unknown[]) => {
        calls.push(args);
        return { student: 'student1', assignment: 'ps1', files: [], history: [] };
      },
    };
    const request = { student: 'student1', assignment: 'ps1', options: { deliver: true } };
    const outcome = await releaseSelection(client, fakeContents(tree), [{ path: 'notes.txt', type: 'file' }], request);
    expect(outcome.paths).toEqual(['notes.txt']);
    expect(calls).toEqual([['student1', 'ps1', { 'notes.txt': 'hello' }, { deliver: true }]]);
    expect(releaseSummary(request, outcome.paths)).toBe('Released notes.txt to student1 as feedback on “ps1”');
    await expect(
      releaseSelection(client, fakeContents({ empty: { type: 'directory' } }), [{ path: 'empty', type: 'directory' }], request),
    ).rejects.toThrow('There is no file to release in the selection');
    expect(calls).toHaveLength(1);
  });
});

describe('releaseRequestOf', () => {
  const toIso = (local: string) => (local ? `${local}:00+01:00` : undefined);

  it('reads the dialog’s fields, asking for home delivery only when ticked', () => {
    expect(releaseRequestOf({ student: 'student1', assignment: ' ps1 ', releaseAt: '', deliver: false }, toIso)).toEqual({
      student: 'student1',
      assignment: 'ps1',
      options: {},
    });
    expect(releaseRequestOf({ student: 'student2', assignment: 'ps1', releaseAt: '2026-12-01T09:00', deliver: true }, toIso)).toEqual({
      student: 'student2',
      assignment: 'ps1',
      options: { releaseAt: '2026-12-01T09:00:00+01:00', deliver: true },
    });
  });

  it('says what is missing', () => {
    expect(() => releaseRequestOf({ student: '', assignment: 'ps1', releaseAt: '', deliver: false }, toIso)).toThrow('Choose a student');
    expect(() => releaseRequestOf({ student: 'student1', assignment: '  ', releaseAt: '', deliver: false }, toIso)).toThrow(
      'Give the assignment',
    );
  });
});
