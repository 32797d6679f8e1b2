import { fileContent, fromBase64, toBase64 } from './content';

const utf8 = (text: string) => new TextEncoder().encode(text);
const notebook = { cells: [{ cell_type: 'markdown', source: 'Hi', metadata: {} }], metadata: {}, nbformat: 4, nbformat_minor: 5 };

describe('fileContent', () => {
  it('parses a notebook as JSON for the notebook viewer', () => {
    expect(fileContent('ps1.ipynb', utf8(JSON.stringify(notebook)))).toEqual({
      type: 'notebook',
      format: 'json',
      mimetype: 'application/x-ipynb+json',
      content: notebook,
    });
  });

  it('gives a notebook as text when the editor asks for a file in text format', () => {
    const text = JSON.stringify(notebook);
    expect(fileContent('ps1.ipynb', utf8(text), { type: 'file', format: 'text' })).toMatchObject({
      type: 'file',
      format: 'text',
      content: text,
    });
  });

  it('gives UTF-8 as text and anything else as base64', () => {
    expect(fileContent('notes.md', utf8('# Été'))).toEqual({ type: 'file', format: 'text', mimetype: 'text/markdown', content: '# Été' });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00]);
    expect(fileContent('plot.png', png)).toEqual({ type: 'file', format: 'base64', mimetype: 'image/png', content: toBase64(png) });
    expect(fileContent('blob', png).mimetype).toBe('application/octet-stream');
  });

  it('honours an explicit base64 request for text, and refuses text for binary bytes', () => {
    expect(fileContent('a.txt', utf8('abc'), { format: 'base64' })).toMatchObject({ format: 'base64', content: 'YWJj' });
    expect(() => fileContent('a.bin', new Uint8Array([0xff]), { format: 'text' })).toThrow(/not UTF-8/);
  });

  it('round-trips large binary content through base64', () => {
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) % 256);
    expect(fromBase64(toBase64(bytes))).toEqual(bytes);
  });
});
