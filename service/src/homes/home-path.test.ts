import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { homeExists, homePath } from './home-path';
import { InvalidUserNameError } from '../names';

describe('homePath', () => {
  it('fills the template with the user name', () => {
    expect(homePath('/home/{username}', 'student1')).toBe('/home/student1');
    expect(homePath('/srv/homes/{username}/work', 'a.b@example.org')).toBe('/srv/homes/a.b@example.org/work');
  });

  it.each(['', '.', '..', '../etc', 'a/b', '/abs', 'a\\b', 'nul\0byte', 'new\nline', 'x'.repeat(256)])(
    'refuses the user name %j',
    (name) => {
      expect(() => homePath('/home/{username}', name)).toThrow(InvalidUserNameError);
    },
  );
});

describe('homeExists', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'coursework-homes-'));
  mkdirSync(path.join(root, 'real'));
  writeFileSync(path.join(root, 'file'), 'x');
  symlinkSync(path.join(root, 'real'), path.join(root, 'link'));

  it('counts only real directories', async () => {
    expect(await homeExists(path.join(root, 'real'))).toBe(true);
    expect(await homeExists(path.join(root, 'file'))).toBe(false);
    expect(await homeExists(path.join(root, 'link'))).toBe(false);
    expect(await homeExists(path.join(root, 'missing'))).toBe(false);
  });
});
