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

/**
 * Echoes everything `client` sends, whole and in order, until the client closes its side of the
 * connection; then returns (`session` closes the socket). Every wait gives the loop back: meanwhile
 * the other clients are served.
 */
export function* handleClient(client: Socket): Coroutine<void> {
  throw new Error('TODO(07-event-loop): handleClient() must echo what the client sends, waiting on the loop, until it is done sending');
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
  throw new Error('TODO(07-event-loop): serve() must accept clients for ever and run a task for each');
}

export function serveForever(server: Socket): void {
  // `--selector select|poll|epoll` picks how the loop waits (default: epoll on Linux).
  new EventLoop({ selector: selectorFromArgs() }).runUntilComplete(serve(server));
}

runServer(import.meta.url, 5007, serveForever);
