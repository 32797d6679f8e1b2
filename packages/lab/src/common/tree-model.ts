/** The contents model of a path inside a tree of files (a snapshot's manifest, an assignment's feedback). */
import { CourseworkError } from '@coursework/client';
import type { Contents } from '@jupyterlab/services';
import { directoryModel, fileEntryModel, fileModel, joinPath } from './models';
import { folderTimes, listChildren, resolveNode, type TreeFile } from './tree';

export interface TreeLocation {
  /** Drive path of the tree's root, e.g. `student1/ps1_2026-11-23`. */
  rootPath: string;
  /** Date of the tree's folders that hold no dated file. */
  lastModified: string;
  files: readonly TreeFile[];
  /** Path segments below the root. */
  segments: readonly string[];
}

export function notFound(path: string): CourseworkError {
  return new CourseworkError(404, `No such file or folder: ${path}`);
}

/** The model of `location`; file bytes are read (with `readBytes`) only when content was asked for. */
export async function treeModel(
  location: TreeLocation,
  options: Contents.IFetchOptions | undefined,
  readBytes: (file: TreeFile) => Promise<Uint8Array>,
): Promise<Contents.IModel> {
  const { rootPath, lastModified, files, segments } = location;
  const path = joinPath(rootPath, ...segments);
  const node = resolveNode(files, segments);
  if (!node) throw notFound(path);
  if (node.kind === 'file') {
    if (!options?.content) return fileEntryModel(path, node.file);
    return fileModel(path, node.file, await readBytes(node.file), options);
  }
  // A folder's time is its newest file's, as the home had it.
  const times = folderTimes(files, segments, lastModified);
  if (!options?.content) return directoryModel(path, times.self);
  const children = listChildren(files, segments).map((child) => {
    const childPath = joinPath(path, child.name);
    return child.kind === 'file'
      ? fileEntryModel(childPath, child.file)
      : directoryModel(childPath, times.children.get(child.name) ?? lastModified);
  });
  return directoryModel(path, times.self, children);
}
