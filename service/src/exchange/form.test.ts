import { formFields, parseFileList, percentDecode } from './form';

const list = (json: string) => parseFileList(Buffer.from(json), 100);

describe('form-encoded bodies as bytes', () => {
  it('decode + and %XX, and keep a malformed escape as it is', () => {
    expect(percentDecode(Buffer.from('a+b%2Fc%3d%e2%82%ac')).toString()).toBe('a b/c=€');
    expect(percentDecode(Buffer.from('100%zz%4')).toString()).toBe('100%zz%4');
  });

  it('split into fields, the first of a repeated name winning, as URLSearchParams writes them', () => {
    const body = new URLSearchParams([
      ['files', '[{"path": "a b.txt", "content": "eA=="}]'],
      ['user', 'student1'],
      ['user', 'other'],
      ['empty', ''],
    ]).toString();
    const fields = formFields(Buffer.from(`${body}&novalue&&`));
    expect(fields.get('files')!.toString()).toBe('[{"path": "a b.txt", "content": "eA=="}]');
    expect(fields.get('user')!.toString()).toBe('student1');
    expect(fields.get('empty')!.length).toBe(0);
    expect(fields.has('novalue')).toBe(true);
  });
});

describe('the files field read from bytes', () => {
  it('decodes what Python writes: json.dumps spacing, base64 with and without line breaks, escaped paths', () => {
    const long = 'y'.repeat(300);
    const broken = `${(
      Buffer.from(long)
        .toString('base64')
        .match(/.{1,76}/g) ?? []
    ).join('\n')}\n`;
    const json = JSON.stringify([
      { path: 'caf\u00e9/\u00fcber.ipynb', content: Buffer.from('{"cells": []}').toString('base64') },
      { content: broken, path: 'data/long.txt' },
      { path: 'empty.txt', content: '' },
    ]);
    const files = list(json.replace(/,"/g, ', "').replace(/":/g, '": '));
    expect(files.map((f) => [f.path, f.bytes.toString()])).toEqual([
      ['café/über.ipynb', '{"cells": []}'],
      ['data/long.txt', long],
      ['empty.txt', ''],
    ]);
    // Every padding: 0, 1 and 2 `=`; an escaped `/` of the alphabet.
    for (const text of ['abc', 'abcd', 'abcde'])
      expect(list(JSON.stringify([{ path: 'p', content: Buffer.from(text).toString('base64') }]))[0]!.bytes.toString()).toBe(text);
    expect(list('[{"path": "p", "content": "\\/w=="}]')[0]!.bytes).toEqual(Buffer.from([0xff]));
    expect(list(' [ ] ')).toEqual([]);
  });

  it.each([
    ['', 'Files cannot be JSON decoded'],
    ['[{"path": "a", "content": "eA=="}', 'Files cannot be JSON decoded'],
    ['[{"path": "a", "content": "eA=="}] x', 'Files cannot be JSON decoded'],
    ['{"a": 1}', 'Incorrect request format'],
    ['[1]', 'Incorrect request format'],
    ['[{"path": "a"}]', 'Incorrect request format'],
    ['[{"content": "eA=="}]', 'Incorrect request format'],
    ['[{"path": "a", "content": 1}]', 'Incorrect request format'],
    ['[{"path": 1, "content": "eA=="}]', 'Incorrect request format'],
    ['[{"path": "a", "content": "YQ"}]', 'Content cannot be base64 decoded'],
    ['[{"path": "a", "content": "Y!Q="}]', 'Content cannot be base64 decoded'],
    ['[{"path": "a", "content": "YQ==YQ=="}]', 'Content cannot be base64 decoded'],
    ['[{"path": "a", "content": "Y\\u0051=="}]', 'Content cannot be base64 decoded'],
    ['[{"path": "a", "content": "eA==="}]', 'Content cannot be base64 decoded'],
  ])('refuses %j', (json, message) => {
    expect(() => list(json)).toThrow(new RegExp(`^${message}`));
  });

  it('caps the number of files', () => {
    expect(() => parseFileList(Buffer.from('[{"path": "a", "content": ""}, {"path": "b", "content": ""}]'), 1)).toThrow(/Too many files/);
  });
});
