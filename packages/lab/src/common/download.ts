/**
 * Downloads to the user's disk: the service gives a one-minute link that needs no token, and the browser fetches
 * it as a download, streamed to disk and named by the service's Content-Disposition.
 */

/** Has the browser fetch `url` (a link that needs no token) as a download. */
export function downloadFrom(url: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
}
