/**
 * A home of 20,000 files: taken whole, its files listed page by page (every file once, in the manifest's order), one
 * file read from the middle of it, and zipped with every file and the right bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CourseworkClient, type ManifestEntry } from '@coursework/client';
import { extractZipEntry, readZipEntries } from '../../src/archive/zip-reader';
import { type InProcessApp, startInProcessApp, tokenOf } from '../support/in-process';

const FOLDERS = 200;
const PER_FOLDER = 100;
const FILES = FOLDERS * PER_FOLDER;
const contentOf = (folder: number, file: number) => `folder ${folder}, file ${file}\n`;

let app: InProcessApp;
let client: CourseworkClient;
let snapshot: string;
const headers = { Authorization: `token ${tokenOf('instructor')}` };

beforeAll(async () => {
  app = await startInProcessApp();
  client = new CourseworkClient({ baseUrl: app.url + app.prefix, token: tokenOf('instructor') });
  const home = app.config.homeTemplate.replace('{username}', 'student3');
  for (let folder = 0; folder < FOLDERS; folder++) {
    mkdirSync(path.join(home, 'many', `d${folder}`), { recursive: true });
    for (let file = 0; file < PER_FOLDER; file++)
      writeFileSync(path.join(home, 'many', `d${folder}`, `f${file}.txt`), contentOf(folder, file));
  }
  const { job } = await client.snapshot({ name: 'many', students: ['student3'] });
  const done = await client.waitForJob(job.id, { timeoutMs: 120_000 });
  expect(done.students.student3).toMatchObject({ status: 'taken' });
  snapshot = done.name;
}, 180_000);
afterAll(() => app.close());

it('lists its files page by page, each file once', async () => {
  const seen: ManifestEntry[] = [];
  let url: string | null = `${client.snapshotFileUrl('student3', snapshot, '').replace(/\/$/, '')}?limit=200`;
  let pages = 0;
  while (url) {
    const response = await fetch(url, { headers: { ...headers, Accept: 'application/jupyterhub-pagination+json' } });
    expect(response.status).toBe(200);
    const page = (await response.json()) as { items: ManifestEntry[]; _pagination: { total: number; next: { url: string } | null } };
    expect(page.items.length).toBeLessThanOrEqual(200);
    expect(page._pagination.total).toBeGreaterThanOrEqual(FILES);
    seen.push(...page.items);
    url = page._pagination.next?.url ?? null;
    pages++;
  }
  const many = seen.filter((entry) => entry.path.startsWith('many/'));
  expect(many).toHaveLength(FILES);
  expect(new Set(seen.map((entry) => entry.path)).size).toBe(seen.length);
  expect(pages).toBe(Math.ceil(seen.length / 200));
  // Pages follow the manifest: the same order as one read of the whole list at the largest page size.
  const first = await client.snapshotFiles('student3', snapshot, { offset: 0, limit: 200 });
  expect(first.map((entry) => entry.path)).toEqual(seen.slice(0, 200).map((entry) => entry.path));
});

it('sends one file from the middle of it', async () => {
  const response = await fetch(client.snapshotFileUrl('student3', snapshot, 'many/d123/f45.txt'), { headers });
  expect(response.status).toBe(200);
  expect(await response.text()).toBe(contentOf(123, 45));
});

it('zips every file with its bytes', async () => {
  const response = await fetch(client.snapshotZipUrl('student3', snapshot), { headers });
  expect(response.status).toBe(200);
  const zip = Buffer.from(await response.arrayBuffer());
  const entries = readZipEntries(zip, 100_000).filter((entry) => entry.name.startsWith('many/'));
  expect(entries).toHaveLength(FILES);
  for (const [folder, file] of [
    [0, 0],
    [123, 45],
    [199, 99],
  ] as const) {
    const entry = entries.find((e) => e.name === `many/d${folder}/f${file}.txt`)!;
    expect(extractZipEntry(zip, entry).toString()).toBe(contentOf(folder, file));
  }
});
