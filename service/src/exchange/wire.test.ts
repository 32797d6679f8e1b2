import { answerBytes, decodeFiles, listOnly, microsOfWireTimestamp, parseWireTimestamp, wireFile, wireTimestamp } from './wire';

const entry = (path: string, content: string) => ({ path, content });

describe('file trees on the wire', () => {
  it('decodes base64 with and without line breaks', () => {
    const text = 'x'.repeat(200);
    const plain = Buffer.from(text).toString('base64');
    const broken = `${(plain.match(/.{1,76}/g) ?? []).join('\n')}\n`;
    const files = decodeFiles(Buffer.from(JSON.stringify([entry('a/b.txt', plain), entry('c.txt', broken)])), 10);
    expect(files.map((f) => [f.path, f.bytes.toString()])).toEqual([
      ['a/b.txt', text],
      ['c.txt', text],
    ]);
  });

  it('takes an empty tree and hidden files (a submission may have them)', () => {
    expect(decodeFiles(Buffer.from('[]'), 10)).toEqual([]);
    expect(decodeFiles(Buffer.from(JSON.stringify([entry('.data/x', 'eA==')])), 10)[0]!.bytes.toString()).toBe('x');
  });

  it.each([
    [undefined, 'Please supply files'],
    ['{', 'Files cannot be JSON decoded'],
    ['{"path": "a"}', 'Incorrect request format'],
    ['[1]', 'Incorrect request format'],
    ['[{"path": "a", "content": 1}]', 'Incorrect request format'],
    ['[{"path": "../a", "content": ""}]', 'Illegal path'],
    ['[{"path": "a\\\\b", "content": ""}]', 'Illegal path'],
    ['[{"path": "a", "content": ""}, {"path": "a", "content": ""}]', 'Illegal path'],
    ['[{"path": "a", "content": "YQ"}]', 'Content cannot be base64 decoded'],
    ['[{"path": "a", "content": "Y!Q="}]', 'Content cannot be base64 decoded'],
  ])('refuses %j', (field, message) => {
    expect(() => decodeFiles(field === undefined ? undefined : Buffer.from(field), 10)).toThrow(new RegExp(`^${message}`));
  });

  it('caps the number of files', () => {
    expect(() => decodeFiles(Buffer.from(JSON.stringify([entry('a', ''), entry('b', '')])), 1)).toThrow(/Too many files/);
  });

  it('answers md5 checksums, and contents only when asked', () => {
    expect(wireFile('a', 'abc')).toEqual({ path: 'a', checksum: 'abc' });
    expect(wireFile('a', 'abc', Buffer.from('x'))).toEqual({ path: 'a', checksum: 'abc', content: 'eA==' });
    expect([listOnly('true'), listOnly('True'), listOnly(undefined)]).toEqual([true, false, false]);
  });
});

describe('answers with file contents', () => {
  it('are the bytes of their JSON, whatever the paths hold', () => {
    const files = [
      wireFile('ps1.ipynb', 'a'.repeat(32), Buffer.from('{"cells": []}')),
      wireFile('données/é "content":"" \\ \n.txt', 'b'.repeat(32), Buffer.from([0, 255, 128, 10])),
      wireFile('empty.txt', 'c'.repeat(32), Buffer.alloc(0)),
      wireFile('listed-only.txt', 'd'.repeat(32)),
      wireFile('\u2028 ☃.py', 'e'.repeat(32), Buffer.from('print("☃")')),
    ];
    const answer = { success: true, files, timestamp: '2026-11-28 07:01:02.000001', note: { content: 'not a file "x"' } };
    const bytes = answerBytes(answer);
    expect(bytes.equals(Buffer.from(JSON.stringify(answer)))).toBe(true);
    expect(JSON.parse(bytes.toString('utf8'))).toEqual(answer);
    expect(answerBytes({ success: true, files: [] }).toString()).toBe('{"success":true,"files":[]}');
    const withEmptyContent = { files, other: { content: '' } };
    expect(answerBytes(withEmptyContent).equals(Buffer.from(JSON.stringify(withEmptyContent)))).toBe(true);
  });
});

describe('timestamps on the wire', () => {
  it('are UTC with microseconds and no zone', () => {
    const micros = BigInt(Date.UTC(2026, 10, 28, 7, 1, 2, 345)) * 1000n + 678n;
    expect(wireTimestamp(micros)).toBe('2026-11-28 07:01:02.345678');
    expect(microsOfWireTimestamp('2026-11-28 07:01:02.345678')).toBe(micros);
  });

  it('are read with or without " UTC", and nothing else', () => {
    expect(parseWireTimestamp('2026-11-28 07:01:02.345678')).toBe('2026-11-28 07:01:02.345678');
    expect(parseWireTimestamp('2026-11-28 07:01:02.345678 UTC')).toBe('2026-11-28 07:01:02.345678');
    for (const bad of [
      '2026-11-28T07:01:02.345678',
      '2026-11-28 07:01:02',
      '2026-11-28 07:01:02.345678+00:00',
      '2026-13-45 99:01:02.000000',
      1,
    ]) {
      expect(parseWireTimestamp(bad)).toBeUndefined();
    }
  });
});
