/**
 * Bytes of a file to the content of a Jupyter contents model, with the Jupyter server's rules: notebooks as parsed
 * JSON, UTF-8 text as text, anything else as base64 (unless the caller asked for a format).
 */

export type ContentFormat = 'json' | 'text' | 'base64';

export interface FileContent {
  type: 'notebook' | 'file';
  format: ContentFormat;
  mimetype: string;
  content: unknown;
}

/** What the caller asked for (the subset of Contents.IFetchOptions that matters here). */
export interface ContentRequest {
  type?: string;
  format?: string | null;
}

const MIME_TYPES: Record<string, string> = {
  ipynb: 'application/x-ipynb+json',
  json: 'application/json',
  md: 'text/markdown',
  txt: 'text/plain',
  py: 'text/x-python',
  csv: 'text/csv',
  html: 'text/html',
  htm: 'text/html',
  css: 'text/css',
  js: 'application/javascript',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  pdf: 'application/pdf',
  zip: 'application/zip',
};

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** Whether a file of this name opens as a notebook (the model type the document registry keys on). */
export function isNotebookName(name: string): boolean {
  return extensionOf(name) === 'ipynb';
}

/** The type a listing shows for a file, before its bytes are read. */
export function fileTypeOf(name: string): 'notebook' | 'file' {
  return isNotebookName(name) ? 'notebook' : 'file';
}

export function mimetypeOf(name: string, isText: boolean): string {
  return MIME_TYPES[extensionOf(name)] ?? (isText ? 'text/plain' : 'application/octet-stream');
}

/** The UTF-8 text of `bytes`, or null when they are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000; // String.fromCharCode takes its arguments on the stack
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Converts the bytes of file `name` as the request asks; throws when they cannot be read that way. */
export function fileContent(name: string, bytes: Uint8Array, request: ContentRequest = {}): FileContent {
  const asNotebook = isNotebookName(name) && request.type !== 'file' && (request.format ?? 'json') === 'json';
  if (asNotebook) {
    const text = decodeUtf8(bytes);
    if (text === null) throw new Error(`${name} is not a UTF-8 notebook`);
    return { type: 'notebook', format: 'json', mimetype: mimetypeOf(name, true), content: JSON.parse(text) as unknown };
  }
  if (request.format === 'base64') {
    return { type: 'file', format: 'base64', mimetype: mimetypeOf(name, false), content: toBase64(bytes) };
  }
  const text = decodeUtf8(bytes);
  if (request.format === 'text' && text === null) throw new Error(`${name} is not UTF-8 text`);
  if (request.format === 'json') {
    if (text === null) throw new Error(`${name} is not UTF-8 JSON`);
    return { type: 'file', format: 'json', mimetype: mimetypeOf(name, true), content: JSON.parse(text) as unknown };
  }
  return text === null
    ? { type: 'file', format: 'base64', mimetype: mimetypeOf(name, false), content: toBase64(bytes) }
    : { type: 'file', format: 'text', mimetype: mimetypeOf(name, true), content: text };
}
