import { isReadOnlyDrivePath } from './drive-paths';

describe('isReadOnlyDrivePath', () => {
  it.each([
    ['CourseworkSnapshots:student1/ps1_2026-11-23/a.ipynb', true],
    ['Feedback:ps1/graded.ipynb', true],
    ['Feedback/ps1.ipynb', false],
    ['assignment-1.ipynb', false],
    ['OtherDrive:Feedback:x', false],
  ])('%s → %s', (path, expected) => {
    expect(isReadOnlyDrivePath(path)).toBe(expected);
  });
});
