/** Contents models for the read-only drives: folders and files of a tree, never writable. */
import type { Contents } from '@jupyterlab/services';
import { fileContent, fileTypeOf, mimetypeOf, type ContentRequest } from './content';
import type { TreeFile } from './tree';

/** A folder; `children` only when its content was asked for. */
export function directoryModel(path: string, lastModified: string, children?: Contents.IModel[]): Contents.IModel {
  return {
    name: nameOf(path),
    path,
    type: 'directory',
    writable: false,
    created: lastModified,
    last_modified: lastModified,
    mimetype: '',
    content: children ?? null,
    format: children ? 'json' : null,
  };
}

/** A file as a listing shows it (no content). */
export function fileEntryModel(path: string, file: TreeFile): Contents.IModel {
  const name = nameOf(path);
  return {
    name,
    path,
    type: fileTypeOf(name),
    writable: false,
    created: file.lastModified,
    last_modified: file.lastModified,
    mimetype: mimetypeOf(name, false),
    content: null,
    format: null,
    size: file.size,
  };
}

/** A file with its content, converted as the request asks. */
export function fileModel(path: string, file: TreeFile, bytes: Uint8Array, request: ContentRequest): Contents.IModel {
  const converted = fileContent(nameOf(path), bytes, request);
  return { ...fileEntryModel(path, file), ...converted };
}

export function nameOf(path: string): string {
  const segments = path.split('/').filter((segment) => segment !== '');
  return segments[segments.length - 1] ?? '';
}

export function joinPath(...segments: string[]): string {
  return segments.filter((segment) => segment !== '').join('/');
}

/** The date of the Unix epoch, for folders that have no date of their own. */
/** No time known: JupyterLab's file browser shows nothing for it (the epoch would show as decades ago). */
export const NO_DATE = '';
