/** Where a user's home is, from the configured template, refusing names that could point anywhere else. */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError } from '../util/invalid-input';

export class InvalidUserNameError extends InvalidInputError {
  override name = 'InvalidUserNameError';
}

/** Hub user names are free-form; in a path only a plain, single component is acceptable. */
export function assertSafeUserName(name: string): void {
  const bad =
    name.length === 0 || name.length > 255 || name === '.' || name === '..' || /[/\\\0]/.test(name) || /[\u0000-\u001f\u007f]/.test(name);
  if (bad) throw new InvalidUserNameError(`not a usable user name: ${JSON.stringify(name.slice(0, 64))}`);
}

export function homePath(template: string, userName: string): string {
  assertSafeUserName(userName);
  // The template is absolute (checked by the config) and the name a single plain component.
  return path.normalize(template.split('{username}').join(userName));
}

/** A home counts only as a real directory, not as a symlink to one. */
export async function homeExists(home: string): Promise<boolean> {
  try {
    return (await lstat(home)).isDirectory();
  } catch {
    return false;
  }
}
