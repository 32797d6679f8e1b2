/**
 * Requests take turns: a few are handled per turn of the event loop, the rest wait in order of arrival.
 *
 * Node accepts one new connection per turn of its event loop (libuv stopped accepting in a loop). A handler here runs
 * to its end within the turn its request arrived in (the catalog is synchronous), so under load one turn handles every
 * request that came in on the open connections and grows to a hundred milliseconds or more. A caller opening a new
 * connection then waits behind every other new connection, one per turn: seconds, while the callers on open
 * connections are answered in a fraction of that. With a few requests a turn, turns stay short, new connections are
 * accepted promptly, and everyone is served in the order they asked.
 */
import type { Middleware } from 'koa';

/**
 * How many requests start per turn. One would keep turns shortest, at a few per cent more of the loop's overhead;
 * a handful costs nothing measurable and keeps new connections waiting well under a second behind 200 busy ones.
 */
export const REQUESTS_PER_TURN = 4;

export function takeTurns(perTurn = REQUESTS_PER_TURN): Middleware {
  // A queue as an array and the index of its head: shift() would copy the array on every request.
  let queue: Array<() => void> = [];
  let head = 0;
  let startedThisTurn = 0;
  let scheduled = false;

  const nextTurn = () => {
    scheduled = false;
    startedThisTurn = 0;
    while (startedThisTurn < perTurn && head < queue.length) {
      const start = queue[head]!;
      queue[head++] = undefined as never;
      startedThisTurn++;
      start();
    }
    if (head === queue.length) {
      queue = [];
      head = 0;
    }
    schedule();
  };
  // Called at most once a turn (setImmediate runs in the turn's check phase), and only while there is work: the
  // count of requests started this turn is reset there.
  const schedule = () => {
    if (scheduled || (head === queue.length && startedThisTurn === 0)) return;
    scheduled = true;
    setImmediate(nextTurn);
  };

  return async (_ctx, next) => {
    if (head === queue.length && startedThisTurn < perTurn) {
      // Nobody waits and this turn has room: no need to wait for the next.
      startedThisTurn++;
      schedule();
      return next();
    }
    await new Promise<void>((resolve) => {
      queue.push(resolve);
      schedule();
    });
    return next();
  };
}
