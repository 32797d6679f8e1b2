import { CourseworkError } from '@coursework/client';
import { connectToService, describeError, discoverServiceUrl, NoHubError } from './connection';
import { fakeService, json } from '../testing/fake-service';

describe('discoverServiceUrl', () => {
  const page = (options: Record<string, string>) => (name: string) => options[name] ?? '';

  it.each([
    ['/hub/', '/services/coursework/'],
    ['/course/hub/', '/course/services/coursework/'],
  ])('finds the service of hubPrefix %s at %s', (hubPrefix, url) => {
    expect(discoverServiceUrl(page({ hubPrefix }))).toBe(url);
  });

  it('says so when JupyterLab does not run under a Hub', () => {
    expect(() => discoverServiceUrl(page({}))).toThrow(NoHubError);
    expect(() => connectToService(page({ token: 't' }))).toThrow(/does not run under JupyterHub/);
  });
});

describe('connectToService', () => {
  it("calls the course it works on, the default course's routes without one, and says when that changes", async () => {
    const service = fakeService({
      'GET /services/coursework/api/v1/students': () => json([]),
      'GET /services/coursework/api/v1/courses/ml-200/students': () => json([{ name: 'student2' }]),
      'GET /services/coursework/api/v1/me': () => json({ name: 'ta' }),
    });
    const changes: (string | undefined)[] = [];
    service.connection.courseChanged.connect((_, course) => changes.push(course));
    await service.connection.client.students();
    service.connection.useCourse('ml-200');
    await service.connection.client.students();
    await service.connection.client.me();
    service.connection.useCourse(undefined);
    expect(service.connection.course).toBeUndefined();
    expect(changes).toEqual(['ml-200', undefined]);
    expect(service.requests.map((r) => r.call)).toEqual([
      'GET /services/coursework/api/v1/students',
      'GET /services/coursework/api/v1/courses/ml-200/students',
      'GET /services/coursework/api/v1/me',
    ]);
  });

  it("calls the service with the page's token", async () => {
    const service = fakeService({ 'GET /services/coursework/api/v1/me': () => json({ name: 'instructor', roles: ['instructor'] }) });
    expect(service.connection.baseUrl).toBe('/services/coursework/');
    await expect(service.connection.client.me()).resolves.toMatchObject({ name: 'instructor' });
    expect(service.requests).toEqual([{ call: 'GET /services/coursework/api/v1/me', authorization: 'token page-token' }]);
  });

  it('fetches bytes with the token and turns error answers into CourseworkErrors', async () => {
    const service = fakeService({
      'GET /services/coursework/f': () => new Response('bytes'),
      'GET /services/coursework/forbidden': () => json({ status: 403, message: 'Not allowed' }, 403),
    });
    expect(await (await service.connection.fetchBlob('/services/coursework/f')).text()).toBe('bytes');
    expect(service.requests[0]!.authorization).toBe('token page-token');
    await expect(service.connection.fetchBlob('/services/coursework/forbidden')).rejects.toEqual(new CourseworkError(403, 'Not allowed'));
  });
});

describe('describeError', () => {
  it('names the status of service errors', () => {
    expect(describeError(new CourseworkError(503, 'Service Unavailable'))).toBe('Service Unavailable (HTTP 503)');
    expect(describeError(new TypeError('Failed to fetch'))).toBe('Failed to fetch');
  });
});
