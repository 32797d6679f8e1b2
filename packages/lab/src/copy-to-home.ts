/**
 * "Copy to my home": a feedback file saved into the user's own files (the default drive), in the format its
 * contents need (a notebook as a notebook, text as text, anything else as base64), never over an existing file.
 */
import type { Contents } from '@jupyterlab/services';
import { fileContent } from './content';
import type { FeedbackDrive } from './feedback-drive';
import { joinPath, nameOf } from './models';
import { segmentsOf } from './tree';

/** The part of JupyterLab's ContentsManager this needs. */
export type ContentsAccess = Pick<Contents.IManager, 'get' | 'save'>;

/** `name`, or `name` with `-feedback`, `-feedback-2`, … before its extension: the first that `exists` does not know. */
export async function freeName(dir: string, name: string, exists: (path: string) => Promise<boolean>): Promise<string> {
  const dot = name.lastIndexOf('.');
  const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? name : `${stem}-feedback${n === 1 ? '' : `-${n}`}${extension}`;
    if (!(await exists(joinPath(dir, candidate)))) return joinPath(dir, candidate);
  }
}

/** Copies `localPath` (`<assignment>/<path>` of the Feedback drive) into `targetDir`; returns the new file's path. */
export async function copyFeedbackToHome(drive: FeedbackDrive, contents: ContentsAccess, localPath: string, targetDir: string): Promise<string> {
  const [assignment, ...rest] = segmentsOf(localPath);
  if (assignment === undefined || rest.length === 0) throw new Error('Only files can be copied');
  const name = nameOf(localPath);
  const bytes = await drive.bytesOf(assignment, rest.join('/'));
  const { type, format, content } = fileContent(name, bytes);
  const exists = (path: string) =>
    contents.get(path, { content: false }).then(
      () => true,
      () => false,
    );
  const target = await freeName(targetDir, name, exists);
  await contents.save(target, { type, format, content });
  return target;
}
