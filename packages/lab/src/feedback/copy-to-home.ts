/**
 * "Copy to my home": a feedback file, or a feedback folder with everything below it, saved into the user's own
 * files (the default drive) under a name none of theirs has, each file in the format its contents need (a
 * notebook as a notebook, text as text, anything else as base64).
 */
import type { Contents } from '@jupyterlab/services';
import { describeError } from '../common/connection';
import { fileContent } from '../common/content';
import type { FeedbackDrive } from './feedback-drive';
import { joinPath, nameOf } from '../common/models';
import { foldersOf } from '../common/tree';

/** The part of JupyterLab's ContentsManager this needs. */
export type ContentsAccess = Pick<Contents.IManager, 'get' | 'save'>;

/** Where a copy went: the new file or folder, and how many files it holds. */
export interface CopyResult {
  kind: 'file' | 'directory';
  path: string;
  files: number;
}

/**
 * `name`, or `name` with `-feedback`, `-feedback-2`, … (a file's before its extension, a folder's at the end): the
 * first that `exists` does not know.
 */
export async function freeName(
  dir: string,
  name: string,
  exists: (path: string) => Promise<boolean>,
  kind: 'file' | 'directory' = 'file',
): Promise<string> {
  const dot = kind === 'file' ? name.lastIndexOf('.') : -1;
  const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? name : `${stem}-feedback${n === 1 ? '' : `-${n}`}${extension}`;
    if (!(await exists(joinPath(dir, candidate)))) return joinPath(dir, candidate);
  }
}

/**
 * Copies `localPath` (`<assignment>/<path>` of the Feedback drive: a file, a folder or a whole assignment) into
 * `targetDir`, keeping a folder's structure. A folder is new, so nothing in it can be one of the user's files.
 */
export async function copyFeedbackToHome(
  drive: FeedbackDrive,
  contents: ContentsAccess,
  localPath: string,
  targetDir: string,
): Promise<CopyResult> {
  const item = await drive.itemAt(localPath);
  const exists = (path: string) =>
    contents.get(path, { content: false }).then(
      () => true,
      () => false,
    );
  const target = await freeName(targetDir, nameOf(localPath), exists, item.kind);
  const copyFile = async (source: string, destination: string) => {
    const { type, format, content } = fileContent(nameOf(source), await drive.bytesOf(item.course, item.assignment, source));
    await contents.save(destination, { type, format, content });
  };
  if (item.kind === 'file') {
    await copyFile(item.path, target);
    return { kind: 'file', path: target, files: 1 };
  }

  const base = item.path === '' ? 0 : item.path.length + 1;
  const relative = item.files.map((source) => source.slice(base));
  let copied = 0;
  try {
    // The server writes a file only into a folder that exists: parents first.
    for (const folder of ['', ...foldersOf(relative)]) await contents.save(joinPath(target, folder), { type: 'directory' });
    for (const [i, source] of item.files.entries()) {
      await copyFile(source, joinPath(target, relative[i]!));
      copied++;
    }
  } catch (error) {
    // What was copied stays; the message says where, so that the user can finish or remove it.
    throw new Error(`stopped after ${copied} of ${item.files.length} files, in ${target}: ${describeError(error)}`, { cause: error });
  }
  return { kind: 'directory', path: target, files: copied };
}

/** The notification of a copy, e.g. "Copied 3 files of ps1 to ps1-feedback". */
export function copySummary(name: string, result: CopyResult): string {
  if (result.kind === 'file') return `Copied ${name} to ${result.path}`;
  return `Copied ${result.files} file${result.files === 1 ? '' : 's'} of ${name} to ${result.path}`;
}
