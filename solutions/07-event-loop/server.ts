/**
 * 07-event-loop — the echo server, on your own loop.
 *
 * Builds on loop.ts and coroutines.ts: the echo server of 01, one task per client. Read
 * `handleClient` beside 01's: the same loop, with `yield*` where 01 blocked. Each `yield*` gives the
 * loop back until this client's socket is ready, and meanwhile every other client is served.
 */
import { ConnectionError, type Socket } from '../../fixtures/native/index.ts';
import { runServer, selectorFromArgs } from '../../fixtures/program.ts';
import { createTask, sockAccept, sockRecv, sockSendall } from './coroutines.ts';
import type { Coroutine } from './future.ts';
import { EventLoop } from './loop.ts';

/**
 * Echoes everything `client` sends, whole and in order, until the client closes its side of the
 * connection; then returns (`session` closes the socket). Every wait gives the loop back: meanwhile
 * the other clients are served.
 */
export function* handleClient(client: Socket): Coroutine<void> {
  for (;;) {
    const data = yield* sockRecv(client, 4096); // waits, without blocking, for data or end-of-file
    if (data.length === 0) return;
    yield* sockSendall(client, data);
  }
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

/**
 * Accepts clients for ever on `server` (a listening socket, handed over blocking) and runs each one's
 * `session` as a task of its own: the next client is accepted without waiting for this one to leave.
 */
export function* serve(server: Socket): Coroutine<never> {
  server.setBlocking(false);
  for (;;) {
    const [client, [host, port]] = yield* sockAccept(server);
    console.log(`connection from ${host}:${port}`);
    createTask(session(client, `${host}:${port}`));
  }
}

export function serveForever(server: Socket): void {
  // `--selector select|poll|epoll` picks how the loop waits (default: epoll on Linux).
  new EventLoop({ selector: selectorFromArgs() }).runUntilComplete(serve(server));
}

runServer(import.meta.url, 5007, serveForever);
