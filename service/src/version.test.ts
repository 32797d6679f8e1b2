/** One version across the packages: lerna's, which the service reports at `health`. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const versionOf = (file: string) => (JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as { version: string }).version;

it('gives every package the version of lerna.json, and the changelog a section for it', () => {
  const version = versionOf('lerna.json');
  for (const file of [
    'service/package.json',
    'packages/client/package.json',
    'packages/lab/package.json',
    'packages/lab-extension/package.json',
  ]) {
    expect([file, versionOf(file)]).toEqual([file, version]);
  }
  expect(readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8')).toContain(`## ${version}`);
});
