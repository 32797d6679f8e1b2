/** Students and their own snapshots, when the admin allows it (COURSEWORK_ALLOW_STUDENT_SNAPSHOTS). */
import { type InProcessApp, SEEDED, startInProcessApp, tokenOf } from '../support/in-process';

let app: InProcessApp;
beforeAll(async () => {
  app = await startInProcessApp({ COURSEWORK_ALLOW_STUDENT_SNAPSHOTS: 'true' });
});
afterAll(() => app.close());

const call = (method: string, path: string) =>
  fetch(`${app.url}${app.prefix}${path}`, { method, headers: { Authorization: `token ${tokenOf('student')}` } });
const own = `api/v1/students/${SEEDED.student}/snapshots`;

describe('with student access on', () => {
  it('lets a student read their own snapshots, files and zip', async () => {
    expect((await call('GET', own)).status).toBe(200);
    expect((await call('GET', `${own}/${SEEDED.name}`)).status).toBe(200);
    expect((await call('GET', `${own}/${SEEDED.name}/files`)).status).toBe(200);
    const file = await call('GET', `${own}/${SEEDED.name}/files/${SEEDED.file}`);
    expect(await file.text()).toBe(SEEDED.content);
    expect((await call('GET', `${own}/${SEEDED.name}/zip`)).status).toBe(200);
  });

  it("keeps them out of other students' snapshots and away from instructor actions", async () => {
    expect((await call('GET', 'api/v1/students/student2/snapshots')).status).toBe(403);
    expect((await call('GET', `api/v1/students/student2/snapshots/${SEEDED.name}/files/${SEEDED.file}`)).status).toBe(403);
    expect((await call('DELETE', `${own}/${SEEDED.name}`)).status).toBe(403);
    expect((await call('GET', `api/v1/snapshots/${SEEDED.name}/zip`)).status).toBe(403);
    expect((await call('GET', 'api/v1/students')).status).toBe(403);
  });

  it("lists the owner operations among the student's permissions", async () => {
    const me = (await (await call('GET', 'api/v1/me')).json()) as { permissions: string[] };
    expect(me.permissions).toEqual(expect.arrayContaining(['listStudentSnapshots', 'getSnapshotFile']));
    expect(me.permissions).not.toContain('deleteStudentSnapshot');
  });
});
