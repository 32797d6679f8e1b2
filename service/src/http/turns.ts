/**
 * Requests take turns: a few start per turn of the event loop, the rest wait in order of arrival.
 *
 * Node accepts one new connection per turn of its event loop (libuv stopped accepting in a loop). A handler here runs
 * to its end within the turn its request arrived in (the catalog is synchronous), so under load one turn handles every
 * request that came in on the open connections and grows to a hundred milliseconds or more. A caller opening a new
 * connection then waits behind every other new connection, one per turn: seconds, while the callers on open
 * connections are answered in a fraction of that. With a few requests a turn, turns stay short, new connections are
 * accepted promptly, and everyone is served in the order they asked.
 *
 * This wraps the server's request listener rather than being a Koa middleware: a request waiting here holds only
 * Node's request and response, not Koa's context as well, and the young generation of a small heap fills more slowly.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/**
 * How many requests start per turn. Fewer keeps turns shorter, at the price of the loop's own work on each turn and
 * of requests waiting longer as objects on the heap (a cost to the cheapest requests only, such as `health`).
 */
export const REQUESTS_PER_TURN = 8;

export function takingTurns(handler: RequestListener, perTurn = REQUESTS_PER_TURN): RequestListener {
  // A queue as an array and the index of its head: shift() would copy the array on every request.
  let queue: Array<[IncomingMessage, ServerResponse]> = [];
  let head = 0;
  let startedThisTurn = 0;
  let scheduled = false;

  const nextTurn = () => {
    scheduled = false;
    startedThisTurn = 0;
    while (startedThisTurn < perTurn && head < queue.length) {
      const [request, response] = queue[head]!;
      queue[head++] = undefined as never;
      // A caller who went away while waiting is owed nothing.
      if (request.socket.destroyed) continue;
      startedThisTurn++;
      handler(request, response);
    }
    if (head === queue.length) {
      queue = [];
      head = 0;
    }
    schedule();
  };
  // At most once a turn (setImmediate runs in the turn's check phase), and only while there is work: the count of
  // requests started this turn is reset there.
  const schedule = () => {
    if (scheduled || (head === queue.length && startedThisTurn === 0)) return;
    scheduled = true;
    setImmediate(nextTurn);
  };

  return (request, response) => {
    if (head === queue.length && startedThisTurn < perTurn) {
      // Nobody waits and this turn has room.
      startedThisTurn++;
      schedule();
      handler(request, response);
      return;
    }
    queue.push([request, response]);
    schedule();
  };
}
