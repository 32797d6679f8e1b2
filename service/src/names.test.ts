import { assertAllowedExtension, assertAssignmentId, assertFeedbackPath, extensionOf, secureFilename } from './names';

describe('assignment ids', () => {
  it.each(['ps1', 'Assignment 1', 'hw-2_final', 'lab.3'])('accepts %j', (id) => {
    expect(() => assertAssignmentId(id)).not.toThrow();
  });
  it.each(['', '..', '.hidden', 'a/b', 'a\\b', 'trailing.', 'trailing ', 'a..b', 'x'.repeat(101), 'tab\there', 42])('refuses %j', (id) => {
    expect(() => assertAssignmentId(id)).toThrow(/not a usable assignment name/);
  });
});

describe('feedback paths', () => {
  it.each(['report.html', 'notebooks/ps1.ipynb', 'a b/c (1).txt', 'ünïcode/é.md'])('accepts %j', (p) => {
    expect(assertFeedbackPath(p)).toBe(p);
  });
  it.each([
    ['', /empty/],
    ['/etc/passwd', /relative/],
    ['../x.txt', /`\.` and `\.\.`/],
    ['a/../../x.txt', /`\.` and `\.\.`/],
    ['a//b.txt', /empty component/],
    ['.bashrc', /hidden/],
    ['dir/.git/config', /hidden/],
    ['back\\slash.txt', /backslashes/],
    ['new\nline.txt', /control/],
    [`${'x'.repeat(256)}.txt`, /longer than 255 bytes/],
  ])('refuses %j', (p, why) => {
    expect(() => assertFeedbackPath(p)).toThrow(why);
  });
});

describe('extensions', () => {
  it('takes the last suffix, case-blind, and none for dot-files or bare names', () => {
    expect(extensionOf('a/b/Report.HTML')).toBe('.html');
    expect(extensionOf('archive.tar.gz')).toBe('.gz');
    expect(extensionOf('Makefile')).toBe('');
    expect(extensionOf('dir.d/README')).toBe('');
  });
  it('refuses what is not in the list, saying what is allowed', () => {
    expect(() => assertAllowedExtension('x.html', ['.html'])).not.toThrow();
    expect(() => assertAllowedExtension('x.exe', ['.html', '.txt'])).toThrow(/\.exe files are not accepted \(allowed: \.html, \.txt\)/);
    expect(() => assertAllowedExtension('README', ['.txt'])).toThrow(/files without an extension/);
  });
});

describe("the seed's file-name sanitising (werkzeug secure_filename)", () => {
  it.each([
    ['My Report (1).html', 'My_Report_1.html'],
    ['assignment-1-grades.html', 'assignment-1-grades.html'],
    ['../../..', ''],
    ['../../etc/passwd', 'etc_passwd'],
    ['.hidden.txt', 'hidden.txt'],
    ['Résumé final.txt', 'Resume_final.txt'],
    ['  spaced   out  .txt', 'spaced_out_.txt'],
    ['日本語.txt', 'txt'],
  ])('%j → %j', (given, expected) => {
    expect(secureFilename(given)).toBe(expected);
  });
});
