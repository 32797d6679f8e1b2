/**
 * Input a domain refuses (a bad name, a malformed archive, an assignment that does not add up). Domains throw its
 * subclasses and know nothing of HTTP; the HTTP layer answers every one of them with 400 and the message, in one
 * place (http/errors).
 */
export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
}

/** Runs a check of one part of a request, naming that part in the message of the error it refuses with. */
export function naming<T>(what: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof InvalidInputError) throw new InvalidInputError(`${what}: ${error.message}`);
    throw error;
  }
}
