/** The Hub client against a small real HTTP server that answers like the Hub (and, on purpose, unlike it). */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HubClient, HubError, HubUnavailableError, OAuthCodeRejectedError } from './client';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
let handler: Handler;
let server: Server;
let apiUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hub/api`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

const client = (timeoutMs = 1000, url = apiUrl) => new HubClient({ apiUrl: url, serviceToken: 'svc-token', timeoutMs });

describe('HubClient', () => {
  it('resolves a token with GET /user, sending it as the caller', async () => {
    handler = (req, res) => {
      expect(req.url).toBe('/hub/api/user');
      expect(req.headers.authorization).toBe('token caller-token');
      json(res, 200, { name: 'student1', kind: 'user', admin: false, groups: ['students'], scopes: ['access:services'], server: null });
    };
    expect(await client().identify('caller-token')).toEqual({
      name: 'student1',
      kind: 'user',
      admin: false,
      groups: ['students'],
      scopes: ['access:services'],
    });
  });

  it('treats the Hub\'s 403 for a bad token as "no identity"', async () => {
    handler = (_req, res) => json(res, 403, { status: 403, message: null });
    expect(await client().identify('bad')).toBeNull();
  });

  it('reports an unreachable Hub as unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(client(1000, `http://127.0.0.1:${port}/hub/api`).identify('t')).rejects.toBeInstanceOf(HubUnavailableError);
  });

  it('reports a Hub that does not answer in time as unavailable', async () => {
    handler = () => undefined; // never answers
    await expect(client(100).identify('t')).rejects.toThrow(/no answer within 100 ms/);
  });

  it('reports a 5xx as unavailable and an odd answer as a Hub error', async () => {
    handler = (_req, res) => json(res, 502, {});
    await expect(client().identify('t')).rejects.toBeInstanceOf(HubUnavailableError);
    handler = (_req, res) => json(res, 200, { hello: 'world' });
    await expect(client().identify('t')).rejects.toBeInstanceOf(HubError);
  });

  it('lists group members with the service token, null for a missing group', async () => {
    handler = (req, res) => {
      expect(req.headers.authorization).toBe('token svc-token');
      if (req.url === '/hub/api/groups/students') json(res, 200, { name: 'students', users: ['b', 'a'] });
      else json(res, 404, { status: 404, message: 'No such group' });
    };
    expect(await client().groupMembers('students')).toEqual(['b', 'a']);
    expect(await client().groupMembers('nobody')).toBeNull();
  });

  it('exchanges an OAuth code with a form-encoded POST carrying the client secret', async () => {
    handler = (req, res, body) => {
      expect(req.method).toBe('POST');
      expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
      const form = new URLSearchParams(body);
      expect(Object.fromEntries(form)).toEqual({
        client_id: 'service-coursework',
        client_secret: 'svc-token',
        grant_type: 'authorization_code',
        code: 'the-code',
        redirect_uri: '/services/coursework/oauth_callback',
      });
      json(res, 200, { access_token: 'new-token', expires_in: 1209600, token_type: 'Bearer' });
    };
    const answer = await client().exchangeOAuthCode({
      clientId: 'service-coursework',
      code: 'the-code',
      redirectUri: '/services/coursework/oauth_callback',
    });
    expect(answer).toEqual({ accessToken: 'new-token', expiresInSeconds: 1209600 });
    handler = (_req, res) => json(res, 400, { error: 'invalid_grant' });
    await expect(client().exchangeOAuthCode({ clientId: 'c', code: 'reused', redirectUri: '/cb' })).rejects.toBeInstanceOf(
      OAuthCodeRejectedError,
    );
  });
});
