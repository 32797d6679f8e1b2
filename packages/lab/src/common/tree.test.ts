import { filesBelow, folderTimes, foldersOf, listChildren, resolveNode, segmentsOf, type TreeFile } from './tree';

const at = '2026-11-23T10:00:00.000Z';
const files: TreeFile[] = [
  { path: 'notebook.ipynb', size: 10, lastModified: at },
  { path: 'practice/b.ipynb', size: 2, lastModified: at },
  { path: 'practice/a.ipynb', size: 1, lastModified: at },
  { path: 'practice/deep/x.txt', size: 3, lastModified: at },
  { path: '.hidden', size: 4, lastModified: at },
];

describe('segmentsOf', () => {
  it.each([
    ['', []],
    ['/', []],
    ['student1/snap/', ['student1', 'snap']],
    ['/a//b/c.txt', ['a', 'b', 'c.txt']],
  ])('%j → %j', (path, segments) => {
    expect(segmentsOf(path)).toEqual(segments);
  });
});

describe('resolveNode', () => {
  it('finds files, folders implied by deeper files, and nothing else', () => {
    expect(resolveNode(files, [])).toEqual({ kind: 'directory', name: '' });
    expect(resolveNode(files, ['notebook.ipynb'])).toMatchObject({ kind: 'file', name: 'notebook.ipynb', file: { size: 10 } });
    expect(resolveNode(files, ['practice'])).toEqual({ kind: 'directory', name: 'practice' });
    expect(resolveNode(files, ['practice', 'deep'])).toEqual({ kind: 'directory', name: 'deep' });
    expect(resolveNode(files, ['practice', 'deep', 'x.txt'])).toMatchObject({ kind: 'file', file: { size: 3 } });
    expect(resolveNode(files, ['pract'])).toBeNull();
    expect(resolveNode(files, ['practice', 'missing'])).toBeNull();
  });
});

describe('folderTimes', () => {
  it('dates each folder by the newest file below it, and a folder with no dated file by the fallback', () => {
    const dated: TreeFile[] = [
      { path: 'a.txt', size: 1, lastModified: '2026-11-20T10:00:00.000Z' },
      { path: 'practice/old.ipynb', size: 1, lastModified: '2026-11-01T10:00:00.000Z' },
      { path: 'practice/deep/new.txt', size: 1, lastModified: '2026-11-22T10:00:00.000Z' },
      { path: 'data/undated.csv', size: 1, lastModified: '' },
    ];
    const root = folderTimes(dated, [], 'taken');
    expect(root.self).toBe('2026-11-22T10:00:00.000Z');
    expect(Object.fromEntries(root.children)).toEqual({ practice: '2026-11-22T10:00:00.000Z' });
    expect(folderTimes(dated, ['practice'], 'taken')).toEqual({
      self: '2026-11-22T10:00:00.000Z',
      children: new Map([['deep', '2026-11-22T10:00:00.000Z']]),
    });
    expect(folderTimes(dated, ['data'], 'taken').self).toBe('taken');
  });
});

describe('listChildren', () => {
  it('lists direct children, folders first, each group by name', () => {
    expect(listChildren(files, []).map((n) => `${n.kind}:${n.name}`)).toEqual([
      'directory:practice',
      'file:.hidden',
      'file:notebook.ipynb',
    ]);
    expect(listChildren(files, ['practice']).map((n) => `${n.kind}:${n.name}`)).toEqual(['directory:deep', 'file:a.ipynb', 'file:b.ipynb']);
  });

  it('does not mistake a sibling with a common prefix for a child', () => {
    const tricky: TreeFile[] = [...files, { path: 'practice2/z.txt', size: 1, lastModified: at }];
    expect(listChildren(tricky, ['practice']).map((n) => n.name)).toEqual(['deep', 'a.ipynb', 'b.ipynb']);
  });
});

describe('filesBelow', () => {
  it('gives every file below a folder, at any depth, and no sibling that only shares a prefix', () => {
    const tricky: TreeFile[] = [...files, { path: 'practice2/z.txt', size: 1, lastModified: at }];
    expect(filesBelow(tricky, ['practice'])).toEqual(['practice/b.ipynb', 'practice/a.ipynb', 'practice/deep/x.txt']);
    expect(filesBelow(tricky, ['practice', 'deep'])).toEqual(['practice/deep/x.txt']);
    expect(filesBelow(tricky, [])).toHaveLength(6);
    expect(filesBelow(tricky, ['nothing'])).toEqual([]);
  });
});

describe('foldersOf', () => {
  it('lists each folder once, every folder before the folders inside it', () => {
    expect(foldersOf(['b/c/d.txt', 'a.txt', 'b/e.txt', 'a/x.txt'])).toEqual(['a', 'b', 'b/c']);
    expect(foldersOf(['top.txt'])).toEqual([]);
  });
});
