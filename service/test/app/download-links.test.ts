/** Download links through the real app: what they open, for whom, for how long, and what they never open. */
import { CourseworkClient } from '@coursework/client';
import { expectMatchesContract } from '../support/openapi-validator';
import { type InProcessApp, SEEDED, startInProcessApp, tokenOf } from '../support/in-process';
import { DownloadLinks, withoutLinkParameter } from '../../src/http/download-links';

let app: InProcessApp;
let instructor: CourseworkClient;
let student: CourseworkClient;

beforeAll(async () => {
  app = await startInProcessApp();
  instructor = new CourseworkClient({ baseUrl: app.url + app.prefix, token: tokenOf('instructor') });
  student = new CourseworkClient({ baseUrl: app.url + app.prefix, token: tokenOf('student') });
});
afterAll(() => app.close());

describe('download links', () => {
  it('open one download, without credentials, for the caller who made them', async () => {
    const zipUrl = instructor.snapshotZipUrl(SEEDED.student, SEEDED.name);
    const response = await fetch(`${app.url}${app.prefix}api/v1/download-links`, {
      method: 'POST',
      headers: { Authorization: `token ${tokenOf('instructor')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ path: zipUrl.slice((app.url + app.prefix).length) }),
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { url: string; expiresAt: string };
    expectMatchesContract('createDownloadLink', 201, body);
    expect(body.url).toMatch(
      new RegExp(`^${app.prefix}api/v1/students/student1/snapshots/${SEEDED.name}/zip\\?link=[\\w-]+\\.[\\w-]{43}$`),
    );
    const download = await fetch(app.url + body.url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/zip');
    expect((await download.arrayBuffer()).byteLength).toBeGreaterThan(100);
    // Again within the minute (a browser may ask twice), still fine.
    expect((await fetch(app.url + body.url)).status).toBe(200);
  });

  it('open nothing but the exact URL they were made for', async () => {
    const link = await instructor.downloadLink(instructor.courseZipUrl(SEEDED.name, ['student1']));
    const id = /link=([\w.-]+)/.exec(link)![1];
    expect((await fetch(app.url + link)).status).toBe(200);
    // Another query, another path, an API read, a write: all refused.
    expect((await fetch(`${app.url}${app.prefix}api/v1/snapshots/${SEEDED.name}/zip?students=student2&link=${id}`)).status).toBe(401);
    expect((await fetch(`${app.url}${app.prefix}api/v1/snapshots/${SEEDED.name}/zip?link=${id}`)).status).toBe(401);
    expect((await fetch(`${app.url}${app.prefix}api/v1/students?link=${id}`)).status).toBe(401);
    expect(
      (await fetch(`${app.url}${app.prefix}api/v1/students/student1/snapshots/${SEEDED.name}?link=${id}`, { method: 'DELETE' })).status,
    ).toBe(401);
    const forged = await fetch(`${app.url}${app.prefix}api/v1/snapshots/${SEEDED.name}/zip?students=student1&link=forged`);
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { message: string }).message).toMatch(/download link is invalid or has expired/);
  });

  it("never grant more than their maker has: a student's link to an instructor download is refused when used", async () => {
    const link = await student.downloadLink(student.courseZipUrl(SEEDED.name));
    expect((await fetch(app.url + link)).status).toBe(403);
  });

  it('expire after a minute', () => {
    let now = 0;
    const links = new DownloadLinks('secret of this service', () => now);
    const caller = {
      identity: { name: 'x', kind: 'user' as const, admin: false, groups: [], scopes: [] },
      hasAccess: true,
      roles: [],
      courseAdmin: false,
    };
    const { id } = links.create(caller, '/p/file?x=1');
    expect(links.resolve(id, '/p/file?x=1&link=abc')).toEqual(caller);
    expect(links.resolve(id, '/p/file?link=abc&x=1')).toEqual(caller);
    now = 60_001;
    expect(links.resolve(id, '/p/file?x=1')).toBeUndefined();
  });

  it('are honoured by every replica that shares the secret, and by no other; a changed byte voids them', () => {
    const caller = {
      identity: { name: 'x', kind: 'user' as const, admin: false, groups: ['instructors'], scopes: ['custom:coursework:admin'] },
      hasAccess: true,
      roles: [],
      courseAdmin: true,
    };
    const { id } = new DownloadLinks('shared').create(caller, '/p/file');
    expect(new DownloadLinks('shared').resolve(id, '/p/file')).toEqual(caller);
    expect(new DownloadLinks('another').resolve(id, '/p/file')).toBeUndefined();
    const [body, signature] = id.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as { target: string };
    const retargeted = Buffer.from(JSON.stringify({ ...payload, target: '/p/other' })).toString('base64url');
    expect(new DownloadLinks('shared').resolve(`${retargeted}.${signature}`, '/p/other')).toBeUndefined();
    expect(new DownloadLinks('shared').resolve('no-dot', '/p/file')).toBeUndefined();
  });

  it('compare URLs without their link parameter', () => {
    expect(withoutLinkParameter('/a/b?x=1&link=zz&y=2')).toBe('/a/b?x=1&y=2');
    expect(withoutLinkParameter('/a/b?link=zz')).toBe('/a/b');
    expect(withoutLinkParameter('/a/b')).toBe('/a/b');
  });
});
