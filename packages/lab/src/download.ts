/**
 * Downloads to the user's disk. Large ones (zips) go through a one-minute link from the service, so the browser
 * streams them to disk itself, named by the service; `saveBlob` is for bytes the page already holds.
 */

/** A `blob:` URL of `blob`, released after a minute (time enough for the browser to read it). */
export function temporaryUrl(blob: Blob): string {
  const url = URL.createObjectURL(blob);
  const timer: unknown = setTimeout(() => URL.revokeObjectURL(url), 60_000);
  // Outside a browser (tests under Node) the timer must not keep the process alive.
  (timer as { unref?: () => void }).unref?.();
  return url;
}

export function saveBlob(blob: Blob, fileName: string): void {
  const url = temporaryUrl(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
}

/** Has the browser fetch `url` (a link that needs no token) as a download. */
export function downloadFrom(url: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
}
