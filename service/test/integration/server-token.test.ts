/**
 * The token every single-user server carries ($JUPYTERHUB_API_TOKEN: what a notebook's kernel, a terminal and
 * nbgrader use) reaches the service with its user's Coursework rights and no more, under a real Hub that starts
 * real servers.
 */
import { type RunningHub, startHub } from '../support/hub';
import { serverEnvironment, startServer } from '../support/servers';

let hub: RunningHub;

beforeAll(async () => {
  hub = await startHub();
}, 120000);

afterAll(() => hub?.stop());

/** Starts `user`'s server through the Hub and reads the token the Hub gave it, from the server process's environment. */
async function serverToken(user: string): Promise<string> {
  await startServer(hub, user);
  return serverEnvironment(hub, user).JUPYTERHUB_API_TOKEN!;
}

const call = (token: string, path: string) => fetch(`${hub.serviceUrl}api/v1/${path}`, { headers: { Authorization: `token ${token}` } });

it("gives a student's server token the student's rights: their own things, nobody else's", async () => {
  const token = await serverToken('student1');
  const me = await call(token, 'me');
  expect(me.status).toBe(200);
  expect(await me.json()).toMatchObject({ name: 'student1', roles: ['student'] });
  expect((await call(token, 'me/feedback')).status).toBe(200);
  expect((await call(token, 'me/assignments')).status).toBe(200);
  expect((await call(token, 'students')).status).toBe(403);
}, 120000);

it("gives an instructor's server token the instructor's rights, in each course they teach", async () => {
  const token = await serverToken('instructor');
  expect(await (await call(token, 'me')).json()).toMatchObject({ name: 'instructor', roles: ['instructor'] });
  expect((await call(token, 'students')).status).toBe(200);
  expect((await call(token, 'courses/demo-201/students')).status).toBe(200);
  // Still no course admin: that comes from the admin scope's group, which the instructor is not in.
  expect((await call(token, 'courses')).status).toBe(200);
  const created = await fetch(`${hub.serviceUrl}api/v1/courses`, {
    method: 'POST',
    headers: { Authorization: `token ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: 'from-a-kernel' }),
  });
  expect(created.status).toBe(403);
}, 120000);
