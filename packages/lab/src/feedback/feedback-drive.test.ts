import type { ServerConnection } from '@jupyterlab/services';
import { FeedbackDrive, type RootListing } from './feedback-drive';
import { fakeService, json, type Route } from '../testing/fake-service';

const FEEDBACK = '/services/coursework/api/v1/me/feedback';
const at = '2026-11-23T10:00:00.000Z';
const items = [
  {
    assignment: 'ps1',
    course: { id: 'demo-101', title: 'Demo 101' },
    releasedAt: at,
    files: [
      { path: 'report.html', size: 20, sha256: 'a'.repeat(64), releasedAt: at },
      { path: 'graded/ps1.ipynb', size: 30, sha256: 'b'.repeat(64), releasedAt: at },
    ],
  },
];

function drive(listing: Route = () => json({ items })) {
  const service = fakeService({
    [`GET ${FEEDBACK}`]: listing,
    [`GET ${FEEDBACK}/ps1/files/report.html`]: () => new Response('<h1>Well done</h1>'),
  });
  const d = new FeedbackDrive({ connection: service.connection, serverSettings: {} as ServerConnection.ISettings });
  const listings: RootListing[] = [];
  d.rootListed.connect((_, listing) => listings.push(listing));
  return { drive: d, listings, requests: service.requests };
}

describe('FeedbackDrive', () => {
  it('shows assignments as folders and their files as trees', async () => {
    const { drive: d } = drive();
    const root = await d.get('', { content: true });
    expect(root.content).toEqual([expect.objectContaining({ path: 'ps1', type: 'directory', last_modified: at, writable: false })]);
    const ps1 = await d.get('ps1', { content: true });
    expect((ps1.content as { path: string; type: string }[]).map((c) => [c.path, c.type])).toEqual([
      ['ps1/graded', 'directory'],
      ['ps1/report.html', 'file'],
    ]);
    expect(await d.get('ps1/graded', { content: true })).toMatchObject({
      content: [expect.objectContaining({ path: 'ps1/graded/ps1.ipynb', type: 'notebook', size: 30 })],
    });
  });

  it('reads a file from the feedback API', async () => {
    const { drive: d, requests } = drive();
    expect(await d.get('ps1/report.html', { content: true })).toMatchObject({
      format: 'text',
      mimetype: 'text/html',
      content: '<h1>Well done</h1>',
    });
    expect(requests.at(-1)).toMatchObject({
      call: `GET ${FEEDBACK}/ps1/files/report.html?course=demo-101`,
      authorization: 'token page-token',
    });
    await expect(d.get('ps2', { content: true })).rejects.toMatchObject({ status: 404 });
  });

  it('tells what a path names: a file, or a folder with the files below it (paths within the assignment)', async () => {
    const { drive: d } = drive();
    expect(await d.itemAt('ps1/report.html')).toEqual({
      kind: 'file',
      course: 'demo-101',
      assignment: 'ps1',
      path: 'report.html',
      files: ['report.html'],
    });
    expect(await d.itemAt('ps1/graded')).toEqual({
      kind: 'directory',
      course: 'demo-101',
      assignment: 'ps1',
      path: 'graded',
      files: ['graded/ps1.ipynb'],
    });
    expect(await d.itemAt('/ps1/')).toEqual({
      kind: 'directory',
      course: 'demo-101',
      assignment: 'ps1',
      path: '',
      files: ['report.html', 'graded/ps1.ipynb'],
    });
    await expect(d.itemAt('ps1/grad')).rejects.toMatchObject({ status: 404 });
    await expect(d.itemAt('ps2')).rejects.toMatchObject({ status: 404 });
    await expect(d.itemAt('')).rejects.toThrow(/not an item/);
  });

  it('reports each listing of the root: the assignments, none, or the error', async () => {
    const empty = drive(() => json({ items: [] }));
    await empty.drive.get('', { content: true });
    expect(empty.listings).toEqual([{ ok: true, assignments: [] }]);

    const down = drive(() => json({ status: 503, message: 'Service Unavailable' }, 503));
    await expect(down.drive.get('', { content: true })).rejects.toMatchObject({ status: 503 });
    expect(down.listings).toEqual([{ ok: false, error: expect.objectContaining({ status: 503, message: 'Service Unavailable' }) }]);
  });

  it('is read-only', async () => {
    const { drive: d } = drive();
    await expect(d.save('ps1/report.html')).rejects.toThrow('Feedback is read-only: cannot save ps1/report.html');
    await expect(d.copy('ps1/report.html')).rejects.toThrow(/read-only/);
  });

  it('puts a folder per course above the assignments when the feedback spans several courses', async () => {
    const other = { ...items[0]!, course: { id: 'ml-200', title: 'Machine Learning' }, releasedAt: '2026-11-24T10:00:00.000Z' };
    const { drive: d } = drive(() => json({ items: [...items, other] }));
    expect(((await d.get('', { content: true })).content as { path: string }[]).map((c) => c.path)).toEqual(['demo-101', 'ml-200']);
    expect(((await d.get('ml-200', { content: true })).content as { path: string }[]).map((c) => c.path)).toEqual(['ml-200/ps1']);
    expect(await d.itemAt('ml-200/ps1/report.html')).toEqual({
      kind: 'file',
      course: 'ml-200',
      assignment: 'ps1',
      path: 'report.html',
      files: ['report.html'],
    });
    await expect(d.itemAt('ml-200')).rejects.toThrow(/not an item/);
    await expect(d.get('ps1', { content: true })).rejects.toMatchObject({ status: 404 });
  });
});
