import { parseCsv } from './csv';

describe('parseCsv', () => {
  it('reads plain, quoted and empty fields over LF and CRLF, skipping blank lines', () => {
    expect(parseCsv('user,role\r\nalice,student\n\n"bob, jr",""\n"say ""hi""",grader')).toEqual([
      ['user', 'role'],
      ['alice', 'student'],
      ['bob, jr', ''],
      ['say "hi"', 'grader'],
    ]);
  });

  it('keeps a quoted newline inside its field and reads a last line without a newline', () => {
    expect(parseCsv('"a\nb",c\nd')).toEqual([['a\nb', 'c'], ['d']]);
  });
});
