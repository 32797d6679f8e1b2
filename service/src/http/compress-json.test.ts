import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import Koa from 'koa';
import { COMPRESS_MIN_BYTES, compressJson } from './compress-json';

const big = { rows: Array.from({ length: 2000 }, (_, i) => ({ student: `student${i}`, status: 'captured' })) };
let server: Server;

beforeAll(async () => {
  const app = new Koa();
  app.use(compressJson({ except: (path) => path.startsWith('/plain/') }));
  app.use((ctx) => {
    if (ctx.path === '/big' || ctx.path === '/plain/big') ctx.body = big;
    else if (ctx.path === '/created') {
      ctx.status = 201;
      ctx.type = 'application/jupyterhub-pagination+json';
      ctx.body = big;
    } else if (ctx.path === '/small') ctx.body = { ok: true };
    else ctx.body = Buffer.from('x'.repeat(COMPRESS_MIN_BYTES * 2));
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

function get(path: string, encoding?: string): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: encoding ? { 'Accept-Encoding': encoding } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('JSON answers compressed', () => {
  it('gzips a large JSON answer for a client that takes gzip, keeping its status and type', async () => {
    const plain = await get('/big');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(plain.body.toString())).toEqual(big);

    const zipped = await get('/big', 'gzip, deflate, br');
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('Accept-Encoding');
    expect(zipped.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(zipped.body.length).toBeLessThan(plain.body.length / 5);
    expect(JSON.parse(gunzipSync(zipped.body).toString())).toEqual(big);

    const created = await get('/created', 'gzip');
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toBe('application/jupyterhub-pagination+json');
    expect(JSON.parse(gunzipSync(created.body).toString())).toEqual(big);
  });

  it('leaves small JSON, other bodies and clients without gzip alone', async () => {
    const small = await get('/small', 'gzip');
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(small.body.toString())).toEqual({ ok: true });
    expect((await get('/bytes', 'gzip')).headers['content-encoding']).toBeUndefined();
    expect((await get('/big', 'identity')).headers['content-encoding']).toBeUndefined();
    const excepted = await get('/plain/big', 'gzip');
    expect(excepted.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(excepted.body.toString())).toEqual(big);
  });
});
