/**
 * A request a domain refuses because of the state it would change (a course id already taken, a course that still
 * holds data). The HTTP layer answers 409 with the message (http/errors).
 */
export class ConflictError extends Error {
  override name = 'ConflictError';
}
