/**
 * Files of the instructor's own file browser as the bytes of a feedback release: a file by its name, a folder as
 * its files (recursively) under their paths relative to it. Read through JupyterLab's contents manager, so that
 * every drive and server the browser shows works the same.
 */
import type { CourseworkClient, ReleaseOptions, StudentFeedback } from '@coursework/client';
import type { Contents } from '@jupyterlab/services';
import { fromBase64 } from '../common/content';
import { localInputToIso } from '../common/datetime';
import { joinPath, nameOf } from '../common/models';

/** The part of JupyterLab's ContentsManager this needs. */
export type ContentsReader = Pick<Contents.IManager, 'get'>;

/** What the file browser has selected: a path of the contents manager and whether it is a folder. */
export interface SelectedItem {
  path: string;
  type: Contents.ContentType;
}

export type ReleaseFiles = Record<string, Uint8Array | string>;

/** Whether a name is hidden (`.ipynb_checkpoints`, `.git`, dot files): never sent as feedback. */
export function isHiddenName(name: string): boolean {
  return name.startsWith('.');
}

/** The content of one file model as what the release sends: notebooks as JSON text, text as text, base64 as bytes. */
export function bytesOfModel(model: Contents.IModel): Uint8Array | string {
  if (model.type === 'notebook' || model.format === 'json') {
    // Indented as Jupyter saves notebooks, so that the student's copy diffs cleanly against the original.
    return `${JSON.stringify(model.content, null, 1)}\n`;
  }
  if (model.format === 'base64') return fromBase64(String(model.content ?? '').replace(/\s/g, ''));
  return String(model.content ?? '');
}

/**
 * The files to release for the selected items: a file under its name, a single selected folder's files under
 * their paths within it, and (with several items) each folder's files under `<folder>/<path>`.
 */
export async function collectReleaseFiles(contents: ContentsReader, items: readonly SelectedItem[]): Promise<ReleaseFiles> {
  const files: ReleaseFiles = {};
  const onlyFolder = items.length === 1 && items[0]!.type === 'directory';
  for (const item of items) {
    const prefix = onlyFolder ? '' : nameOf(item.path);
    if (item.type === 'directory') await collectFolder(contents, item.path, prefix, files);
    else files[nameOf(item.path)] = bytesOfModel(await contents.get(item.path, { content: true }));
  }
  return files;
}

async function collectFolder(contents: ContentsReader, path: string, prefix: string, files: ReleaseFiles): Promise<void> {
  const folder = await contents.get(path, { content: true });
  const children = (folder.content ?? []) as Contents.IModel[];
  for (const child of children) {
    if (isHiddenName(child.name)) continue;
    const relative = joinPath(prefix, child.name);
    if (child.type === 'directory') await collectFolder(contents, child.path, relative, files);
    else files[relative] = bytesOfModel(await contents.get(child.path, { content: true }));
  }
}

/** The assignment name a selection suggests: a single folder's name, else nothing. */
export function suggestedAssignment(items: readonly SelectedItem[]): string {
  return items.length === 1 && items[0]!.type === 'directory' ? nameOf(items[0]!.path) : '';
}

export interface ReleaseRequest {
  student: string;
  assignment: string;
  options: ReleaseOptions;
}

export interface ReleaseFormValue {
  student: string;
  assignment: string;
  /** A datetime-local value, or empty. */
  releaseAt: string;
  deliver: boolean;
}

/** The release the dialog's fields describe; throws with a message for people when they describe none. */
export function releaseRequestOf(value: ReleaseFormValue, toIso: (local: string) => string | undefined = localInputToIso): ReleaseRequest {
  const assignment = value.assignment.trim();
  if (!value.student) throw new Error('Choose a student');
  if (!assignment) throw new Error('Give the assignment');
  const releaseAt = toIso(value.releaseAt);
  // Unticked leaves the choice to the service's setting (COURSEWORK_FEEDBACK_DELIVERY) rather than refusing it.
  return {
    student: value.student,
    assignment,
    options: { ...(releaseAt ? { releaseAt } : {}), ...(value.deliver ? { deliver: true } : {}) },
  };
}

export interface ReleaseOutcome {
  feedback: StudentFeedback;
  /** Paths released. */
  paths: string[];
}

/** Reads the selected items and releases them to one student. */
export async function releaseSelection(
  client: Pick<CourseworkClient, 'releaseFeedback'>,
  contents: ContentsReader,
  items: readonly SelectedItem[],
  request: ReleaseRequest,
): Promise<ReleaseOutcome> {
  const files = await collectReleaseFiles(contents, items);
  const paths = Object.keys(files);
  if (paths.length === 0) throw new Error('There is no file to release in the selection');
  const feedback = await client.releaseFeedback(request.student, request.assignment, files, request.options);
  return { feedback, paths };
}

/** The line the notification shows after a release. */
export function releaseSummary(request: ReleaseRequest, paths: readonly string[]): string {
  const what = paths.length === 1 ? paths[0]! : `${paths.length} files`;
  const when = request.options.releaseAt ? ` (visible from ${new Date(request.options.releaseAt).toLocaleString()})` : '';
  return `Released ${what} to ${request.student} as feedback on “${request.assignment}”${when}`;
}
