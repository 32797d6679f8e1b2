/**
 * One file of a snapshot as a browser and a script get it: the bytes checked against their name before they are sent,
 * gzip straight from the stored DEFLATE payload when the client takes it, byte ranges, and a damaged copy refused
 * with a clear error and set aside, never sent.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CourseworkClient } from '@coursework/client';
import { type InProcessApp, startInProcessApp, tokenOf } from '../support/in-process';

let app: InProcessApp;
let client: CourseworkClient;
let snapshot: string;
const NOTEBOOK = JSON.stringify({ cells: Array.from({ length: 200 }, (_, i) => ({ source: `print(${i}) # the same words again` })) });

beforeAll(async () => {
  app = await startInProcessApp();
  client = new CourseworkClient({ baseUrl: app.url + app.prefix, token: tokenOf('instructor') });
  const home = app.config.homeTemplate.replace('{username}', 'student2');
  writeFileSync(path.join(home, 'big.ipynb'), NOTEBOOK);
  const { job } = await client.snapshot({ name: 'files', students: ['student2'] });
  snapshot = (await client.waitForJob(job.id, { timeoutMs: 30_000 })).name;
});
afterAll(() => app.close());

function get(filePath: string, headers: Record<string, string> = {}) {
  return fetchUrl(new URL(client.snapshotFileUrl('student2', snapshot, filePath)), headers);
}

function fetchUrl(url: URL, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
    const req = request(url, { method, headers: { Authorization: `token ${tokenOf('instructor')}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

it('sends a file whole, gzipped from its stored bytes for a client that takes gzip, and in ranges', async () => {
  const plain = await get('big.ipynb');
  expect(plain.status).toBe(200);
  expect(plain.body.toString()).toBe(NOTEBOOK);
  expect(plain.headers['content-length']).toBe(String(NOTEBOOK.length));
  const zipped = await get('big.ipynb', { 'Accept-Encoding': 'gzip' });
  expect(zipped.headers['content-encoding']).toBe('gzip');
  expect(zipped.body.length).toBeLessThan(NOTEBOOK.length / 4);
  expect(gunzipSync(zipped.body).toString()).toBe(NOTEBOOK);
  const part = await get('big.ipynb', { Range: 'bytes=2-9' });
  expect(part.status).toBe(206);
  expect(part.body.toString()).toBe(NOTEBOOK.slice(2, 10));
});

it("answers a zip's HEAD with its headers and no bytes, and its GET with the whole zip", async () => {
  const url = new URL(client.snapshotZipUrl('student2', snapshot));
  const head = await fetchUrl(url, {}, 'HEAD');
  expect(head.status).toBe(200);
  expect(head.headers['content-type']).toBe('application/zip');
  expect(head.headers['content-disposition']).toContain(`student2_${snapshot}.zip`);
  expect(head.body.length).toBe(0);
  const whole = await fetchUrl(url);
  expect(whole.status).toBe(200);
  // The end of central directory record closes a whole zip.
  expect(whole.body.readUInt32LE(whole.body.length - 22)).toBe(0x06054b50);
});

it('refuses a damaged copy with a clear error, sets it aside, and sends nothing of it', async () => {
  const entry = (await client.snapshotFiles('student2', snapshot)).find((file) => file.path === 'big.ipynb')!;
  const blob = path.join(app.config.dataDir, 'blobs', entry.sha256!.slice(0, 2), entry.sha256!);
  const bytes = readFileSync(blob);
  bytes[bytes.length - 1] ^= 0xff; // the same length: only its hash tells
  writeFileSync(blob, bytes);
  const answer = await get('big.ipynb');
  expect(answer.status).toBe(500);
  expect(JSON.parse(answer.body.toString()).message).toContain('The stored copy of this file is damaged and was set aside');
  expect(readdirSync(path.join(app.config.dataDir, 'blobs', 'quarantine')).some((name) => name.startsWith(entry.sha256!))).toBe(true);
});
