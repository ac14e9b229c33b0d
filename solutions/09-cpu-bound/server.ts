/**
 * 09-cpu-bound — Beazley's fib server, on your loop: what async cannot do, and the way around it.
 *
 * Builds on 07 (the loop), 08 (runUntilSignalled) and pool.ts here. A client sends `n` on a line, the
 * server answers fib(n) on a line. Run it two ways:
 *
 *   --workers 0   (the default) computes inline, in the loop's own thread. fib(40) takes about a
 *                 second, never yields, and every other client waits for it: one thread, and the
 *                 work never waits.
 *   --workers N   hands the computation to a pool of N worker processes. The task that asked waits in
 *                 the loop for the worker's socket to turn readable, like any socket, and meanwhile
 *                 the loop serves everyone else.
 */
import { count } from '../../fixtures/command-line.ts';
import { ConnectionError, type Socket } from '../../fixtures/native/index.ts';
import { runServer, say } from '../../fixtures/program.ts';
import { createTask, sockAccept, sockSendall } from '../07-event-loop/coroutines.ts';
import { CancelledError, Future, type Coroutine } from '../07-event-loop/future.ts';
import { EventLoop } from '../07-event-loop/loop.ts';
import { runUntilSignalled } from '../08-async-web/signals.ts';
import { fib, parseN } from './fib.ts';
import { LineReader } from './lines.ts';
import { WorkerCrashed, WorkerPool } from './pool.ts';

/** How fib(n) gets computed for a client: here and now, or by a worker while the loop goes on. */
export type Compute = (n: number) => Coroutine<number>;

/** fib(n) in the loop's own thread. A coroutine in name only: it never yields, so nobody else runs. */
export function* inline(n: number): Coroutine<number> {
  return fib(n);
}

/**
 * Answers each line `client` sends, in order, with a line: fib(n) for a line `n`, computed by `compute`;
 * `error: <why>` for a line that `parseN` does not take, or when the worker computing it died
 * (WorkerCrashed). The connection goes on after an error line. Returns when the client leaves. Prints
 * `#id fib(n)` before each computation and `#id fib(n) = <answer>` after it (the tests watch both).
 */
export function* handleClient(client: Socket, id: number, compute: Compute): Coroutine<void> {
  const lines = new LineReader(client);
  for (;;) {
    const line = yield* lines.readLine();
    if (line === undefined) return;
    const n = parseN(line);
    if (n instanceof Error) {
      yield* sockSendall(client, `error: ${n.message}\n`);
      continue;
    }
    say(`#${id} fib(${n})`);
    let answer: string;
    try {
      answer = String(yield* compute(n));
    } catch (error) {
      if (!(error instanceof WorkerCrashed)) throw error;
      answer = `error: ${error.message}`;
    }
    say(`#${id} fib(${n}) = ${answer}`);
    yield* sockSendall(client, `${answer}\n`);
  }
}

/** One client's visit: serve it, close its socket however that ends. */
function* session(client: Socket, id: number, compute: Compute): Coroutine<void> {
  try {
    yield* handleClient(client, id, compute);
  } catch (error) {
    if (!(error instanceof ConnectionError || error instanceof CancelledError)) {
      console.error(error); // a bug: say so now, or the client only sees its connection close
      throw error;
    }
  } finally {
    client.close();
  }
}

/** Accepts clients, one task each, until cancelled; then closes the listening socket. */
function* acceptForever(listener: Socket, compute: Compute): Coroutine<void> {
  listener.setBlocking(false);
  try {
    for (let id = 1; ; id++) {
      const [client] = yield* sockAccept(listener);
      createTask(session(client, id, compute));
    }
  } finally {
    listener.close();
  }
}

/** The command line of this server, beside `--port`: `--workers N`, 0 (inline) when not given. */
export const OPTIONS = { workers: count(0) };

export function serveForever(listener: Socket, { workers }: { workers: number }): void {
  const pool = workers > 0 ? new WorkerPool(workers) : undefined;
  const compute: Compute = pool ? (n) => pool.fib(n) : inline;
  say(pool ? `computing in ${workers} worker processes` : 'computing inline, in the loop');

  const loop = new EventLoop();
  const stopping = new Future<void>(loop);
  function* main(): Coroutine<void> {
    const accepting = createTask(acceptForever(listener, compute));
    yield* stopping;
    accepting.cancel();
    try {
      yield* accepting; // its finally closes the listening socket
    } catch (error) {
      if (!(error instanceof CancelledError)) throw error;
    }
    pool?.close(); // no worker outlives the server
    say('stopped');
  }
  runUntilSignalled(loop, main(), () => stopping.done() || stopping.setResult());
}

runServer(import.meta.url, 5009, serveForever, OPTIONS);
