import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context, Next } from 'koa';
import Koa from 'koa';
import { takeTurns } from './turns';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs `count` requests through the middleware in one turn; `started` records which began, in order. */
function arrive(middleware: ReturnType<typeof takeTurns>, count: number, started: number[]) {
  return Array.from({ length: count }, (_, i) =>
    middleware(
      {} as Context,
      (async () => {
        started.push(i);
      }) as Next,
    ),
  );
}

describe('takeTurns', () => {
  it('starts a lone request at once, without waiting for the next turn', async () => {
    const started: number[] = [];
    const done = arrive(takeTurns(4), 1, started);
    expect(started).toEqual([0]);
    await Promise.all(done);
  });

  it('starts a few requests a turn and the rest in later turns, in the order they arrived', async () => {
    const turns = takeTurns(3);
    const started: number[] = [];
    const done = arrive(turns, 8, started);
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    await nextTurn();
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    await nextTurn();
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    await Promise.all(done);
  });

  it('lets a late request wait behind those already waiting', async () => {
    const turns = takeTurns(2);
    const started: string[] = [];
    const early = ['a', 'b', 'c', 'd'].map((name) => turns({} as Context, (async () => void started.push(name)) as Next));
    await nextTurn();
    const late = turns({} as Context, (async () => void started.push('late')) as Next);
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    await nextTurn();
    expect(started).toEqual(['a', 'b', 'c', 'd', 'late']);
    await Promise.all([...early, late]);
  });

  it('starts the next turn afresh once the queue ran dry', async () => {
    const turns = takeTurns(2);
    const started: number[] = [];
    await Promise.all(arrive(turns, 2, started));
    await nextTurn();
    await nextTurn();
    const again: number[] = [];
    arrive(turns, 2, again);
    expect(again).toEqual([0, 1]);
  });
});

/**
 * A load generator in a process of its own: `open` clients on kept-alive connections go round and round; once each
 * was answered a few times, `late` more open their connections at once. It prints how many answers the first clients
 * got between then and the last late client's first answer.
 */
const GENERATOR = `
const http = require('node:http');
const [port, open, late] = process.argv.slice(1).map(Number);
const agent = new http.Agent({ keepAlive: true, maxSockets: open + late });
const get = () => new Promise((ok, ko) => http.get({ port, host: '127.0.0.1', agent }, (r) => { r.resume(); r.on('end', ok); }).on('error', ko));
let answers = 0, warm = 0, stop = false;
for (let i = 0; i < open; i++) (async () => { for (let n = 0; !stop; n++) { await get(); answers++; if (n === 5) warm++; } })();
const waitWarm = setInterval(async () => {
  if (warm < open) return;
  clearInterval(waitWarm);
  const before = answers;
  await Promise.all(Array.from({ length: late }, () => get()));
  stop = true;
  console.log(answers - before);
  process.exit(0);
}, 10);
`;

function answersBeforeLateClients(port: number, open: number, late: number): Promise<number> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['-e', GENERATOR, String(port), String(open), String(late)], (error, stdout) =>
      error ? reject(error) : resolve(Number(stdout.trim())),
    ),
  );
}

describe('takeTurns on a busy server', () => {
  let server: Server;
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function start(perTurn: number): Promise<number> {
    const app = new Koa();
    app.use(takeTurns(perTurn));
    app.use((ctx) => {
      // A handler that holds the event loop for a millisecond, as one with a synchronous catalog does.
      const until = process.hrtime.bigint() + 1_000_000n;
      while (process.hrtime.bigint() < until);
      ctx.body = 'ok';
    });
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  it('accepts new connections promptly while the open ones keep it busy', async () => {
    const open = 60;
    const late = 40;
    // Accepting one new connection a turn, with every open connection's request handled in each turn, the last late
    // client would wait about late × open answers to the others (2,400). Taking turns, a turn is a few requests.
    const answers = await answersBeforeLateClients(await start(4), open, late);
    expect(answers).toBeLessThan(late * open * 0.3);
  });
});
