/**
 * Folders out of flat lists of relative file paths (a snapshot's manifest, an assignment's feedback files): the
 * service stores files only, so a folder exists exactly when some file lies below it.
 */

export interface TreeFile {
  /** Relative path with `/` separators, e.g. `practice/practice-1.ipynb`. */
  path: string;
  size: number;
  lastModified: string;
}

export type TreeNode = { kind: 'file'; name: string; file: TreeFile } | { kind: 'directory'; name: string };

/** The segments of a drive path, without empty ones (leading, trailing or doubled `/`). */
export function segmentsOf(localPath: string): string[] {
  return localPath.split('/').filter((segment) => segment !== '');
}

/** What `segments` names among `files`: a file, a folder (with files below), or nothing. */
export function resolveNode(files: readonly TreeFile[], segments: readonly string[]): TreeNode | null {
  const name = segments[segments.length - 1] ?? '';
  if (segments.length === 0) return { kind: 'directory', name };
  const wanted = segments.join('/');
  const file = files.find((f) => f.path === wanted);
  if (file) return { kind: 'file', name, file };
  const prefix = `${wanted}/`;
  return files.some((f) => f.path.startsWith(prefix)) ? { kind: 'directory', name } : null;
}

/** The direct children of the folder `segments`: folders first, each group by name. */
export function listChildren(files: readonly TreeFile[], segments: readonly string[]): TreeNode[] {
  const prefix = segments.length === 0 ? '' : `${segments.join('/')}/`;
  const folders = new Set<string>();
  const children: TreeNode[] = [];
  for (const file of files) {
    if (!file.path.startsWith(prefix)) continue;
    const rest = segmentsOf(file.path.slice(prefix.length));
    if (rest.length === 1) children.push({ kind: 'file', name: rest[0]!, file });
    else if (rest.length > 1) folders.add(rest[0]!);
  }
  const byName = (a: TreeNode, b: TreeNode) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return [...[...folders].map((name): TreeNode => ({ kind: 'directory', name })).sort(byName), ...children.sort(byName)];
}

/**
 * The times of the folder `segments` and of each folder in it: the newest time of a file below each (as a file
 * manager shows a folder changed when something in it did), or `fallback` for a folder with no dated file.
 */
export function folderTimes(
  files: readonly TreeFile[],
  segments: readonly string[],
  fallback: string,
): { self: string; children: Map<string, string> } {
  const prefix = segments.length === 0 ? '' : `${segments.join('/')}/`;
  let self = '';
  const children = new Map<string, string>();
  for (const file of files) {
    if (!file.path.startsWith(prefix)) continue;
    if (file.lastModified > self) self = file.lastModified;
    const rest = segmentsOf(file.path.slice(prefix.length));
    if (rest.length > 1 && file.lastModified > (children.get(rest[0]!) ?? '')) children.set(rest[0]!, file.lastModified);
  }
  return { self: self || fallback, children };
}

/** The paths of the files below the folder `segments` (every file for the root), as `files` gives them. */
export function filesBelow(files: readonly TreeFile[], segments: readonly string[]): string[] {
  const prefix = segments.length === 0 ? '' : `${segments.join('/')}/`;
  return files.filter((f) => f.path.startsWith(prefix)).map((f) => f.path);
}

/** Every folder that the relative `paths` lie in, each folder before those inside it. */
export function foldersOf(paths: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const path of paths) {
    const segments = segmentsOf(path);
    for (let depth = 1; depth < segments.length; depth++) folders.add(segments.slice(0, depth).join('/'));
  }
  return [...folders].sort((a, b) => segmentsOf(a).length - segmentsOf(b).length || (a < b ? -1 : a > b ? 1 : 0));
}
