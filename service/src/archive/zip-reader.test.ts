import zlib from 'node:zlib';
import { buildZip, memoryReader } from '../../test/support/zip-builder';
import { extractZipEntry, readZipEntries, ZipFormatError } from './zip-reader';
import { openZip, SlabPool } from './zip-writer';

describe('the zip reader', () => {
  it('reads names, kinds and bytes, stored and deflated', () => {
    const zip = buildZip([
      { name: 'a/report.html', content: '<p>hi</p>' },
      { name: 'a/raw.txt', content: 'plain', deflate: false },
      { name: 'a/dir/', content: '', mode: 0o040755 },
      { name: 'a/link', content: '/etc/passwd', mode: 0o120777 },
    ]);
    const entries = readZipEntries(zip, 10);
    expect(entries.map((e) => [e.name, e.isDirectory, e.isSymlink])).toEqual([
      ['a/report.html', false, false],
      ['a/raw.txt', false, false],
      ['a/dir/', true, false],
      ['a/link', false, true],
    ]);
    expect(extractZipEntry(zip, entries[0]!).toString()).toBe('<p>hi</p>');
    expect(extractZipEntry(zip, entries[1]!).toString()).toBe('plain');
  });

  it('reads what the service itself writes', async () => {
    const content = Buffer.from('x'.repeat(5000));
    const deflated = zlib.deflateRawSync(content);
    const chunks = await openZip(
      [
        {
          name: 'folder/file.txt',
          mtime: new Date(),
          mode: 0o644,
          open: async () => ({
            method: 8 as const,
            crc32: zlib.crc32(content) >>> 0,
            size: content.length,
            compressedSize: deflated.length,
            reader: memoryReader(deflated),
          }),
        },
      ],
      new SlabPool(),
    );
    const parts: Buffer[] = [];
    for await (const chunk of chunks) parts.push(chunk);
    const zip = Buffer.concat(parts);
    const [entry] = readZipEntries(zip, 10);
    expect(entry!.name).toBe('folder/file.txt');
    expect(extractZipEntry(zip, entry!)).toEqual(content);
  });

  it('refuses too many entries before reading them', () => {
    const zip = buildZip(Array.from({ length: 5 }, (_, i) => ({ name: `f${i}.txt`, content: 'x' })));
    expect(() => readZipEntries(zip, 4)).toThrow(/5 entries; at most 4/);
  });

  it('never inflates more than the declared size', () => {
    const zip = buildZip([{ name: 'bomb.txt', content: Buffer.alloc(1_000_000), declaredSize: 100 }]);
    const [entry] = readZipEntries(zip, 10);
    expect(() => extractZipEntry(zip, entry!)).toThrow(/more than its declared size/);
  });

  it('checks the CRC-32 and the size', () => {
    const badCrc = buildZip([{ name: 'x.txt', content: 'hello', crc32: 1234 }]);
    expect(() => extractZipEntry(badCrc, readZipEntries(badCrc, 10)[0]!)).toThrow(/CRC-32/);
    const short = buildZip([{ name: 'x.txt', content: 'hello', declaredSize: 50 }]);
    expect(() => extractZipEntry(short, readZipEntries(short, 10)[0]!)).toThrow(/not the size/);
  });

  it('refuses what is not a zip', () => {
    expect(() => readZipEntries(Buffer.from('{"not":"a zip"}'), 10)).toThrow(ZipFormatError);
    expect(() => readZipEntries(Buffer.alloc(100), 10)).toThrow(/no end of central directory/);
    const truncated = buildZip([{ name: 'x.txt', content: 'hello' }]).subarray(10);
    expect(() => readZipEntries(truncated, 10)).toThrow(ZipFormatError);
  });
});
