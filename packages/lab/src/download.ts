/** Saving a blob the service sent as a file of the user's browser (downloads need the page's token, not a link). */

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
