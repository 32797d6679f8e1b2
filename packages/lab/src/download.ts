/** Saving a blob the service sent as a file of the user's browser (downloads need the page's token, not a link). */

export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The browser has read the URL once the click is handled.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
