/** Where a user's home is, from the configured template, refusing names that could point anywhere else. */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { assertSafeUserName } from '../names';

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
