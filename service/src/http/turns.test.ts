import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { takingTurns } from './turns';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A request as the listener sees it: only its socket is looked at. */
function request(name: string, destroyed = false) {
  return { name, socket: { destroyed } } as unknown as IncomingMessage & { name: string };
}

/** A listener taking turns over a handler that records which requests it started, in order. */
function recording(perTurn: number) {
  const started: string[] = [];
  const listener = takingTurns((req) => void started.push((req as IncomingMessage & { name: string }).name), perTurn);
  const arrive = (...names: string[]) => names.forEach((name) => listener(request(name), {} as ServerResponse));
  return { started, listener, arrive };
}

describe('takingTurns', () => {
  it('starts a lone request at once, without waiting for the next turn', () => {
    const { started, arrive } = recording(4);
    arrive('a');
    expect(started).toEqual(['a']);
  });

  it('starts a few requests a turn and the rest in later turns, in the order they arrived', async () => {
    const { started, arrive } = recording(3);
    arrive('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
    expect(started).toEqual(['a', 'b', 'c']);
    await nextTurn();
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    await nextTurn();
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });

  it('lets a late request wait behind those already waiting', async () => {
    const { started, arrive } = recording(2);
    arrive('a', 'b', 'c', 'd', 'e');
    await nextTurn();
    arrive('late');
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    await nextTurn();
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e', 'late']);
  });

  it('starts the next turn afresh once the queue ran dry', async () => {
    const { started, arrive } = recording(2);
    arrive('a', 'b');
    await nextTurn();
    await nextTurn();
    arrive('c', 'd');
    expect(started).toEqual(['a', 'b', 'c', 'd']);
  });

  it('drops a waiting request whose caller went away, and starts the next in its place', async () => {
    const { started, listener, arrive } = recording(1);
    arrive('a');
    listener(request('gone', true), {} as ServerResponse);
    arrive('b');
    await nextTurn();
    expect(started).toEqual(['a', 'b']);
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

describe('takingTurns on a busy server', () => {
  let server: Server;
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function start(perTurn: number): Promise<number> {
    server = createServer(
      takingTurns((_request, response) => {
        // A handler that holds the event loop for a millisecond, as one with a synchronous catalog does.
        const until = process.hrtime.bigint() + 1_000_000n;
        while (process.hrtime.bigint() < until);
        response.end('ok');
      }, perTurn),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  it('accepts new connections promptly while the open ones keep it busy', async () => {
    const open = 60;
    const late = 40;
    // Accepting one new connection a turn, with every open connection's request handled in each turn, the last late
    // client would wait about late × open answers to the others (2,400). Taking turns, a turn is a few requests.
    const answers = await answersBeforeLateClients(await start(8), open, late);
    expect(answers).toBeLessThan(late * open * 0.3);
  });
});
