import type { ServerConnection } from '@jupyterlab/services';
import { SnapshotsDrive } from './snapshots-drive';
import { fakeService, json, paged } from '../testing/fake-service';

const API = '/services/coursework/api/v1';
const takenAt = '2026-11-23T10:00:00.000Z';
const notebook = {
  cells: [{ cell_type: 'code', source: 'print(1)', metadata: {}, outputs: [], execution_count: null }],
  metadata: {},
  nbformat: 4,
  nbformat_minor: 5,
};
const manifest = [
  { path: 'assignment-1.ipynb', type: 'file', size: 120, mode: 0o644, mtime: '2026-11-20T08:00:00.000Z', sha256: 'a' },
  { path: 'practice/practice 1.ipynb', type: 'file', size: 80, mode: 0o644, mtime: '2026-11-21T08:00:00.000Z', sha256: 'b' },
  { path: 'data/temperatures.csv', type: 'file', size: 9, mode: 0o644, mtime: '2026-11-22T08:00:00.000Z', sha256: 'c' },
];

function drive(pageSize?: number) {
  const service = fakeService({
    [`GET ${API}/students`]: paged([
      { name: 'student1', homeExists: true, latestSnapshotAt: takenAt },
      { name: 'student2', homeExists: false, latestSnapshotAt: null },
    ]),
    [`GET ${API}/students/student1/snapshots`]: () => json([{ student: 'student1', name: 'ps1_2026-11-23', takenAt, files: 3 }]),
    [`GET ${API}/students/student1/snapshots/ps1_2026-11-23`]: () =>
      json({ student: 'student1', name: 'ps1_2026-11-23', takenAt, skipped: [] }),
    [`GET ${API}/students/student1/snapshots/ps1_2026-11-23/files`]: paged(manifest),
    [`GET ${API}/students/student1/snapshots/ps1_2026-11-23/files/assignment-1.ipynb`]: () => new Response(JSON.stringify(notebook)),
    [`GET ${API}/students/student1/snapshots/ps1_2026-11-23/files/practice/practice%201.ipynb`]: () =>
      new Response(JSON.stringify(notebook)),
    [`GET ${API}/students/student1/snapshots/ps1_2026-11-23/files/data/temperatures.csv`]: () => new Response('day,t\n1,3\n'),
    [`POST ${API}/download-links`]: (_url, init) => {
      const { path } = JSON.parse(init!.body as string) as { path: string };
      return json({ url: `/services/coursework/${path}?link=L1`, expiresAt: takenAt }, 201);
    },
  });
  const serverSettings = {} as ServerConnection.ISettings;
  return { drive: new SnapshotsDrive({ connection: service.connection, serverSettings, pageSize }), requests: service.requests };
}

describe('SnapshotsDrive', () => {
  it('lists students at the root, then their snapshots', async () => {
    const { drive: d } = drive();
    const root = await d.get('', { content: true });
    expect(root).toMatchObject({ type: 'directory', path: '', writable: false, format: 'json' });
    expect((root.content as { path: string; type: string; last_modified: string }[]).map((c) => [c.path, c.type, c.last_modified])).toEqual(
      [
        // A folder's time is its newest snapshot's; none is shown for a student without one (not the epoch).
        ['student1', 'directory', takenAt],
        ['student2', 'directory', ''],
      ],
    );
    expect(root.last_modified).toBe(takenAt);
    const student = await d.get('student1', { content: true });
    expect(student).toMatchObject({ name: 'student1', last_modified: takenAt });
    expect(student.content).toEqual([
      expect.objectContaining({ path: 'student1/ps1_2026-11-23', type: 'directory', last_modified: takenAt }),
    ]);
  });

  it("builds a snapshot's folders from the paths of its manifest", async () => {
    const { drive: d } = drive();
    const snapshot = await d.get('student1/ps1_2026-11-23', { content: true });
    expect((snapshot.content as { path: string; type: string; size?: number }[]).map((c) => [c.path, c.type, c.size])).toEqual([
      ['student1/ps1_2026-11-23/data', 'directory', undefined],
      ['student1/ps1_2026-11-23/practice', 'directory', undefined],
      ['student1/ps1_2026-11-23/assignment-1.ipynb', 'notebook', 120],
    ]);
    const practice = await d.get('student1/ps1_2026-11-23/practice/', { content: true });
    expect((practice.content as { name: string }[]).map((c) => c.name)).toEqual(['practice 1.ipynb']);
  });

  it('opens a notebook as parsed JSON and a CSV as text, reading the file with the page token', async () => {
    const { drive: d, requests } = drive();
    const nb = await d.get('student1/ps1_2026-11-23/practice/practice 1.ipynb', { content: true, type: 'notebook' });
    expect(nb).toMatchObject({ type: 'notebook', format: 'json', content: notebook, writable: false });
    const csv = await d.get('student1/ps1_2026-11-23/data/temperatures.csv', { content: true });
    expect(csv).toMatchObject({ type: 'file', format: 'text', mimetype: 'text/csv', content: 'day,t\n1,3\n' });
    const fileRequest = requests.find((r) => r.call.endsWith('/files/practice/practice%201.ipynb'));
    expect(fileRequest?.authorization).toBe('token page-token');
  });

  it('reads a manifest once (snapshots never change) and no bytes without content', async () => {
    const { drive: d, requests } = drive();
    await d.get('student1/ps1_2026-11-23', { content: true });
    const entry = await d.get('student1/ps1_2026-11-23/assignment-1.ipynb');
    expect(entry).toMatchObject({ type: 'notebook', content: null, size: 120 });
    expect(requests.filter((r) => r.call.includes('/files')).map((r) => r.call)).toEqual([
      `GET ${API}/students/student1/snapshots/ps1_2026-11-23/files?offset=0&limit=200`,
    ]);
  });

  it('follows the pages of a long manifest', async () => {
    const { drive: d, requests } = drive(2);
    const snapshot = await d.get('student1/ps1_2026-11-23', { content: true });
    expect((snapshot.content as unknown[]).length).toBe(3);
    expect(requests.filter((r) => r.call.includes('/files?')).map((r) => r.call.split('?')[1])).toEqual([
      'offset=0&limit=2',
      'offset=2&limit=2',
    ]);
  });

  it('answers 404 for a path the manifest does not have', async () => {
    const { drive: d } = drive();
    await expect(d.get('student1/ps1_2026-11-23/nope.txt', { content: true })).rejects.toMatchObject({ status: 404 });
    await expect(d.get('student1/missing_2026-01-01', { content: true })).rejects.toMatchObject({ status: 404 });
  });

  it('rejects every write with a clear error and has no checkpoints', async () => {
    const { drive: d } = drive();
    await expect(d.save('student1/ps1_2026-11-23/assignment-1.ipynb')).rejects.toThrow('CourseworkSnapshots is read-only: cannot save');
    await expect(d.delete('student1')).rejects.toThrow(/read-only/);
    await expect(d.newUntitled()).rejects.toThrow(/read-only/);
    await expect(d.rename('a')).rejects.toThrow(/read-only/);
    await expect(d.createCheckpoint('a')).rejects.toThrow(/read-only/);
    await expect(d.listCheckpoints()).resolves.toEqual([]);
  });

  it("downloads a file or a whole snapshot (zip) through a link of the service's, which the browser streams itself", async () => {
    const { drive: d, requests } = drive();
    const url = await d.getDownloadUrl('student1/ps1_2026-11-23');
    expect(url).toBe(`${API}/students/student1/snapshots/ps1_2026-11-23/zip?link=L1`);
    expect(requests.at(-1)).toMatchObject({
      call: `POST ${API}/download-links`,
      authorization: 'token page-token',
      body: { path: 'api/v1/students/student1/snapshots/ps1_2026-11-23/zip' },
    });
    expect(await d.getDownloadUrl('student1/ps1_2026-11-23/practice/practice 1.ipynb')).toBe(
      `${API}/students/student1/snapshots/ps1_2026-11-23/files/practice/practice%201.ipynb?link=L1`,
    );
    await expect(d.getDownloadUrl('student1')).rejects.toThrow(/Only files and whole snapshots/);
  });
});
