/**
 * 07-event-loop — the echo server, on your own loop.
 *
 * Complete `handleClient` and `serve`, then run:  npm test -- exercises/07-event-loop/server
 * Try it by hand:  npx tsx exercises/07-event-loop/server.ts   and, in two other terminals,  nc 127.0.0.1 5007
 */
import { ConnectionError, type Socket } from '../../fixtures/native/index.ts';
import { runServer, selectorFromArgs } from '../../fixtures/program.ts';
import { createTask, sockAccept, sockRecv, sockSendall } from './coroutines.ts';
import type { Coroutine } from './future.ts';
import { EventLoop } from './loop.ts';

/** Echoes everything `client` sends, until the client closes its side of the connection. */
export function* handleClient(client: Socket): Coroutine<void> {
  // TODO: 01's handleClient, with `yield*` where 01 blocked: loop: `const data = yield* sockRecv(client, 4096)`;
  // empty → return; else `yield* sockSendall(client, data)`.
  void [client, sockRecv, sockSendall];
  throw new Error('TODO(07-event-loop): handleClient() should echo with yield* sockRecv and yield* sockSendall until the client leaves');
}

/** One client's whole visit: echo, and close the socket however it ends. */
function* session(client: Socket, peer: string): Coroutine<void> {
  try {
    yield* handleClient(client);
  } catch (error) {
    // A client that resets the connection ends its own task, not the server.
    if (!(error instanceof ConnectionError)) throw error;
    console.log(`${peer} is gone: ${error.message}`);
  } finally {
    client.close();
  }
}

/** Accepts clients for ever, and starts a task for each. */
export function* serve(server: Socket): Coroutine<never> {
  // TODO: make the server socket non-blocking; then for ever: `const [client, [host, port]] = yield* sockAccept(server)`,
  // and createTask(session(client, `${host}:${port}`)) — do not wait for it: the next accept comes at once.
  void [server, sockAccept, createTask, session];
  throw new Error('TODO(07-event-loop): serve() should accept clients for ever and start a task for each');
}

export function serveForever(server: Socket): void {
  // `--selector select|poll|epoll` picks how the loop waits (default: epoll on Linux).
  new EventLoop({ selector: selectorFromArgs() }).runUntilComplete(serve(server));
}

runServer(import.meta.url, 5007, serveForever);
