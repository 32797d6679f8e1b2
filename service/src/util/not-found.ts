/** Something a domain was asked about does not exist. The HTTP layer answers 404 with the message (http/errors). */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}
