/**
 * nbgrader's exchange requests as bytes: a form-encoded body (`application/x-www-form-urlencoded`) split into its
 * fields without making strings of them, and the `files` field (a JSON list of `{path, content}`, the content in
 * base64) read straight from those bytes. A submission's files arrive as some 1.4 times their size in text; read as
 * strings (the body, the field decoded from it, each content, the base64 checked by encoding back) each request
 * left four or five copies of that in the JavaScript heap, where only the decoded files are needed.
 */
import { InvalidInputError } from '../util/invalid-input';

/** Each byte's value as a hex digit, or -1. */
const HEX = new Int8Array(256).fill(-1);
for (let d = 0; d < 16; d++) {
  HEX['0123456789abcdef'.charCodeAt(d)] = d;
  HEX['0123456789ABCDEF'.charCodeAt(d)] = d;
}

/**
 * `a+b%2Fc` → the bytes of `a b/c` (a malformed `%` escape is kept as it is, as browsers and Python do), decoded in
 * place: the decoded bytes are never more than the encoded ones, so they overwrite them and no copy is made.
 */
export function percentDecode(bytes: Buffer): Buffer {
  if (!bytes.includes(0x25) && !bytes.includes(0x2b)) return bytes;
  let o = 0;
  const length = bytes.length;
  for (let i = 0; i < length; i++) {
    const byte = bytes[i]!;
    if (byte === 0x25 && i + 2 < length) {
      const high = HEX[bytes[i + 1]!]!;
      const low = HEX[bytes[i + 2]!]!;
      if (high >= 0 && low >= 0) {
        bytes[o++] = (high << 4) | low;
        i += 2;
        continue;
      }
    }
    bytes[o++] = byte === 0x2b ? 0x20 : byte;
  }
  return bytes.subarray(0, o);
}

/** The fields of a form-encoded body, each as bytes decoded in the body's own memory (the first of a repeated name wins). */
export function formFields(body: Buffer): Map<string, Buffer> {
  const fields = new Map<string, Buffer>();
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf(0x26, start);
    if (end < 0) end = body.length;
    if (end > start) {
      const pair = body.subarray(start, end);
      const equals = pair.indexOf(0x3d);
      const name = percentDecode(equals < 0 ? pair : pair.subarray(0, equals)).toString('utf8');
      if (!fields.has(name)) fields.set(name, equals < 0 ? Buffer.alloc(0) : percentDecode(pair.subarray(equals + 1)));
    }
    start = end + 1;
  }
  return fields;
}

const SYMBOLS = new Int8Array(256).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => (SYMBOLS[c.charCodeAt(0)] = i));

export interface ListedFile {
  path: string;
  bytes: Buffer;
}

/** Where a problem lies, for the messages: the entry and the path when known. */
const at = (index: number, path?: string) => `files[${index}]${path === undefined ? '' : ` (${JSON.stringify(path.slice(0, 120))})`}`;

/**
 * The `files` field: `[{"path": "...", "content": "<base64>"}, ...]`, the base64 with or without line breaks
 * (`\n` in the JSON), decoded from the bytes (one text of each content at most, for Node's own decoder). Anything
 * else is refused with the message ngshare's clients know.
 */
export function parseFileList(json: Buffer, maxFiles: number): ListedFile[] {
  let i = 0;
  const syntax = (): never => {
    throw new InvalidInputError('Files cannot be JSON decoded');
  };
  const format = (what: string): never => {
    throw new InvalidInputError(`Incorrect request format: ${what}`);
  };
  const space = () => {
    while (i < json.length && (json[i] === 0x20 || json[i] === 0x0a || json[i] === 0x0d || json[i] === 0x09)) i++;
  };
  const expect = (byte: number) => {
    space();
    if (json[i] !== byte) syntax();
    i++;
  };
  /** A JSON string at `i` (its escapes resolved by JSON itself: names and paths are short). */
  const text = (): string => {
    space();
    if (json[i] !== 0x22) return format('expected a string');
    const start = i++;
    while (i < json.length && json[i] !== 0x22) i += json[i] === 0x5c ? 2 : 1;
    if (i >= json.length) syntax();
    i++;
    try {
      return JSON.parse(json.toString('utf8', start, i)) as string;
    } catch {
      return syntax();
    }
  };
  /** A base64 JSON string at `i`, decoded as it is read; line breaks and other white space are skipped. */
  const base64 = (index: number, path: string | undefined): Buffer => {
    space();
    if (json[i] !== 0x22) return format(`${at(index, path)}: content is not a string`);
    const start = ++i;
    const close = json.indexOf(0x22, start);
    if (close < 0) syntax();
    const bad = (): never => {
      throw new InvalidInputError(`Content cannot be base64 decoded (${at(index, path)})`);
    };
    // Without escapes (nbgrader's releases and submissions): decoded natively. Node skips what is not base64, so
    // a decoded length short of what the text's length promises means there was something else in it.
    if (!json.subarray(start, close).includes(0x5c)) {
      const length = close - start;
      const padding = length > 0 && json[close - 1] === 0x3d ? (json[close - 2] === 0x3d ? 2 : 1) : 0;
      const decoded = Buffer.from(json.toString('latin1', start, close), 'base64');
      i = close + 1;
      if (length % 4 !== 0 || decoded.length !== (length / 4) * 3 - padding) bad();
      return decoded;
    }
    const out = Buffer.allocUnsafe(Math.floor(((close - start) * 3) / 4) + 3);
    let o = 0;
    let bits = 0;
    let buffered = 0;
    let symbols = 0;
    let padding = 0;
    for (; i < close; i++) {
      let byte = json[i]!;
      if (byte === 0x5c) {
        const escaped = json[++i];
        if (escaped === 0x6e || escaped === 0x72 || escaped === 0x74) continue; // \n \r \t
        if (escaped !== 0x2f) bad(); // only \/ stands for a base64 symbol
        byte = 0x2f;
      }
      if (byte === 0x0a || byte === 0x0d || byte === 0x20 || byte === 0x09) continue;
      if (byte === 0x3d) {
        padding++;
        continue;
      }
      const value = SYMBOLS[byte]!;
      if (value < 0 || padding > 0) bad();
      symbols++;
      bits = (bits << 6) | value;
      buffered += 6;
      if (buffered >= 8) {
        buffered -= 8;
        out[o++] = (bits >> buffered) & 0xff;
        bits &= (1 << buffered) - 1;
      }
    }
    i = close + 1;
    if ((symbols + padding) % 4 !== 0 || padding > 2 || (padding > 0 && (symbols + padding) % 4 !== 0)) bad();
    return out.subarray(0, o);
  };

  space();
  if (json[i] !== 0x5b) {
    // Valid JSON of another shape is the wrong format; anything else is not JSON.
    try {
      JSON.parse(json.toString('utf8'));
    } catch {
      syntax();
    }
    format('files is a JSON list of {path, content}');
  }
  i++;
  const files: ListedFile[] = [];
  space();
  if (json[i] === 0x5d) i++;
  else {
    for (;;) {
      space();
      if (json[i] !== 0x7b) format(`${at(files.length)} is not {path, content}`);
      i++;
      let path: string | undefined;
      let bytes: Buffer | undefined;
      space();
      if (json[i] === 0x7d) i++;
      else {
        for (;;) {
          const key = text();
          expect(0x3a); // :
          if (key === 'content') bytes = base64(files.length, path);
          else if (key === 'path') path = text();
          else text(); // a key ngshare_exchange never sends, with a string value: ignored
          space();
          if (json[i] === 0x2c) {
            i++;
            continue;
          }
          expect(0x7d); // }
          break;
        }
      }
      if (path === undefined || bytes === undefined) format(`${at(files.length, path)} is not {path, content}`);
      files.push({ path: path!, bytes: bytes! });
      if (files.length > maxFiles) throw new InvalidInputError(`Too many files: at most ${maxFiles} in one upload`);
      space();
      if (json[i] === 0x2c) {
        i++;
        continue;
      }
      expect(0x5d); // ]
      break;
    }
  }
  space();
  if (i !== json.length) syntax();
  return files;
}
