import { CourseworkClient, CourseworkError, serviceUrlFromHubPrefix, type Student } from './index';

describe('serviceUrlFromHubPrefix', () => {
  it.each([
    ['/hub/', '/services/coursework/'],
    ['/jupyter/hub/', '/jupyter/services/coursework/'],
    ['https://hub.example.org/base/hub/', 'https://hub.example.org/base/services/coursework/'],
  ])('%s → %s', (hubPrefix, expected) => {
    expect(serviceUrlFromHubPrefix(hubPrefix)).toBe(expected);
  });
});

describe('CourseworkClient', () => {
  const students: Student[] = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, homeExists: true, latestSnapshotAt: null }));
  const requests: { url: string; headers: Record<string, string> }[] = [];
  // A stand-in for the service that pages like it does.
  const fakeFetch = (async (input: string, init?: RequestInit) => {
    const headers = init?.headers as Record<string, string>;
    requests.push({ url: input, headers });
    const url = new URL(input, 'http://x');
    if (headers.Authorization !== 'token t') return new Response(JSON.stringify({ status: 401, message: 'no' }), { status: 401 });
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 2);
    const items = students.slice(offset, offset + limit);
    const next = offset + limit < students.length ? { offset: offset + limit, limit, url: '' } : null;
    return new Response(JSON.stringify({ items, _pagination: { offset, limit, total: students.length, next } }));
  }) as unknown as typeof fetch;

  it('follows the pages to list every student', async () => {
    const client = new CourseworkClient({ baseUrl: 'http://hub/services/coursework/', token: 't', fetch: fakeFetch });
    expect(await client.allStudents(2)).toEqual(students);
    expect(requests.map((r) => r.url)).toEqual([
      'http://hub/services/coursework/api/v1/students?offset=0&limit=2',
      'http://hub/services/coursework/api/v1/students?offset=2&limit=2',
      'http://hub/services/coursework/api/v1/students?offset=4&limit=2',
    ]);
    expect(requests[0]!.headers.Accept).toBe('application/jupyterhub-pagination+json');
  });

  it('turns an error answer into a CourseworkError with status and message', async () => {
    const client = new CourseworkClient({ baseUrl: 'http://hub/services/coursework/', token: 'wrong', fetch: fakeFetch });
    await expect(client.me()).rejects.toEqual(new CourseworkError(401, 'no'));
  });

  it('insists on a base URL ending with a slash', () => {
    expect(() => new CourseworkClient({ baseUrl: 'http://hub/services/coursework' })).toThrow(/end with \//);
  });

  it("reads the caller's feedback and builds file URLs with each segment encoded", async () => {
    const body = {
      items: [{ assignment: 'ps 1', releasedAt: 't', files: [{ path: 'a b/r#1.html', size: 1, sha256: 'x', releasedAt: 't' }] }],
    };
    const seen: string[] = [];
    const fetchFeedback = (async (input: string) => {
      seen.push(input);
      return new Response(JSON.stringify(body));
    }) as unknown as typeof fetch;
    const client = new CourseworkClient({ baseUrl: 'http://hub/services/coursework/', token: 't', fetch: fetchFeedback });
    expect(await client.myFeedback()).toEqual(body);
    expect(seen).toEqual(['http://hub/services/coursework/api/v1/me/feedback']);
    expect(client.myFeedbackFileUrl('ps 1', 'a b/r#1.html')).toBe(
      'http://hub/services/coursework/api/v1/me/feedback/ps%201/files/a%20b/r%231.html',
    );
  });
});

describe('feedback calls', () => {
  const sent: { url: string; method: string; body: unknown }[] = [];
  const recordingFetch = (async (input: string, init?: RequestInit) => {
    sent.push({ url: input, method: init?.method ?? 'GET', body: init?.body });
    return new Response(JSON.stringify({ ok: true }), { status: 200 });
  }) as unknown as typeof fetch;
  const client = new CourseworkClient({ baseUrl: 'http://hub/services/coursework/', token: 't', fetch: recordingFetch });

  it('encodes each path component and keeps the slashes', () => {
    expect(client.myFeedbackFileUrl('Problem Set 1', 'sub dir/r#1.html')).toBe(
      'http://hub/services/coursework/api/v1/me/feedback/Problem%20Set%201/files/sub%20dir/r%231.html',
    );
    expect(client.feedbackFileUrl('a/b', 'ps1', 'x.txt')).toBe(
      'http://hub/services/coursework/api/v1/students/a%2Fb/feedback/ps1/files/x.txt',
    );
  });

  it('sends a release as multipart, each file named by its path, with the options in the query', async () => {
    sent.length = 0;
    await client.releaseFeedback(
      'student1',
      'ps1',
      { 'report.html': '<p>hi</p>', 'nb/ps1.ipynb': new Uint8Array([123, 125]) },
      { releaseAt: '2026-12-01T17:00:00Z', deliver: true },
    );
    expect(sent[0]!.url).toBe(
      'http://hub/services/coursework/api/v1/students/student1/feedback/ps1?releaseAt=2026-12-01T17%3A00%3A00Z&deliver=true',
    );
    const form = sent[0]!.body as FormData;
    const files = form.getAll('files') as File[];
    expect(files.map((f) => f.name)).toEqual(['report.html', 'nb/ps1.ipynb']);
    expect(await files[1]!.text()).toBe('{}');
  });

  it('reschedules one student or the whole class, and withdraws a file or an assignment', async () => {
    sent.length = 0;
    await client.rescheduleFeedback('ps1', '2026-12-01T17:00:00Z');
    await client.rescheduleFeedback('ps1', '2026-12-01T17:00:00Z', 'student1');
    await client.withdrawFeedback('student1', 'ps1', 'r.html');
    await client.withdrawFeedback('student1', 'ps1');
    expect(sent.map((s) => `${s.method} ${s.url.replace('http://hub/services/coursework/', '')}`)).toEqual([
      'PATCH api/v1/feedback/ps1',
      'PATCH api/v1/students/student1/feedback/ps1',
      'DELETE api/v1/students/student1/feedback/ps1/files/r.html',
      'DELETE api/v1/students/student1/feedback/ps1',
    ]);
    expect(JSON.parse(sent[0]!.body as string)).toEqual({ releaseAt: '2026-12-01T17:00:00Z' });
  });

  it('waits for a job with long polls, or reads it at intervals when progress is to be shown', async () => {
    const urls: string[] = [];
    let reads = 0;
    const jobFetch = (async (input: string) => {
      urls.push(input);
      reads++;
      return new Response(JSON.stringify({ id: 'j', state: reads >= 2 ? 'done' : 'running', done: reads, total: 2 }));
    }) as unknown as typeof fetch;
    const client = new CourseworkClient({ baseUrl: 'http://hub/s/', token: 't', fetch: jobFetch });
    expect((await client.waitForJob('j', { timeoutMs: 120_000 })).state).toBe('done');
    expect(urls).toEqual(['http://hub/s/api/v1/jobs/j?wait=30', 'http://hub/s/api/v1/jobs/j?wait=30']);

    urls.length = 0;
    reads = 0;
    const seen: number[] = [];
    await client.waitForJob('j', { intervalMs: 1, onProgress: (job) => seen.push(job.done) });
    expect(urls).toEqual(['http://hub/s/api/v1/jobs/j', 'http://hub/s/api/v1/jobs/j']);
    expect(seen).toEqual([1, 2]);
  });

  it("keeps waiting for a job through a balancer's 502, 503 and 504 while a replica fails over, not through other errors", async () => {
    const answers = [502, 503, 504, 200];
    const flaky = (async () => {
      const status = answers.shift()!;
      return status === 200
        ? new Response(JSON.stringify({ id: 'j', state: 'done', done: 1, total: 1 }))
        : new Response('<html>no server</html>', { status, statusText: 'Service Unavailable' });
    }) as unknown as typeof fetch;
    const client = new CourseworkClient({ baseUrl: 'http://hub/s/', token: 't', fetch: flaky });
    expect((await client.waitForJob('j', { intervalMs: 1 })).state).toBe('done');
    expect(answers).toEqual([]);

    const missing = (async () => new Response(JSON.stringify({ message: 'No job j' }), { status: 404 })) as unknown as typeof fetch;
    await expect(new CourseworkClient({ baseUrl: 'http://hub/s/', fetch: missing }).waitForJob('j', { intervalMs: 1 })).rejects.toThrow(
      'No job j',
    );
  });
});
