/**
 * 03-selectors — DefaultSelector, and callbacks kept in key.data.
 *
 * Complete the functions that throw a TODO, then run the tests:  npm test -- exercises/03
 * Try it by hand:  npx tsx exercises/03-selectors/server.ts [--selector select|poll|epoll]   and  nc 127.0.0.1 5003
 */
import {
  BlockingIOError,
  ConnectionError,
  DefaultSelector,
  EVENT_READ,
  EVENT_WRITE,
  type BaseSelector,
  type Socket,
} from '../../fixtures/native/index.ts';
import { runServer, selectorFromArgs } from '../../fixtures/program.ts';

/** What the loop calls for a ready socket: the socket, and which of its events are ready. */
export type Callback = (sock: Socket, events: number) => void;

/** A selector of sockets, each registered with its callback. */
export type Selector = BaseSelector<Socket, Callback>;

/**
 * One turn of the loop: waits, with no timeout, until some registered socket is ready, then calls the
 * callback registered with each ready socket, with that socket and its ready events. It knows nothing
 * of servers or clients: the callbacks do.
 */
export function runOnce(selector: Selector): void {
  throw new Error('TODO(03-selectors): runOnce() must wait until sockets are ready, then call the callback registered with each');
}

/**
 * Has `selector` watch the listening socket for clients waiting to be accepted, with the callback
 * `acceptConnection(selector)` makes. The listening socket is non-blocking from then on.
 */
export function listenOn(server: Socket, selector: Selector): void {
  throw new Error('TODO(03-selectors): listenOn() must have the selector watch the listening socket, with the accept callback');
}

/** The event loop: listens on `server` with `selector`, then runs turns forever. */
export function serveForever(server: Socket, selector: Selector = new DefaultSelector<Socket, Callback>()): void {
  throw new Error('TODO(03-selectors): serveForever() must listen, then run turns forever');
}

/**
 * Makes the listening socket's callback. It accepts the waiting client and has `selector` watch it,
 * non-blocking, with a callback of its own made by `echo(selector)`. A client gone again before it
 * is accepted is no error: the callback just returns.
 */
function acceptConnection(selector: Selector): Callback {
  return (server) => {
    throw new Error('TODO(03-selectors): the accept callback must accept the client and register it with a callback of its own');
  };
}

/**
 * Makes the callback of one client, with `outgoing`: the bytes still owed to that client alone. The
 * callback echoes every byte the client sends, in order, however slowly the client reads; the client
 * is watched for writing only while it is owed bytes. A client done sending (an empty read: it shut
 * down its sending side, and may still be reading) is read no more, and is disconnected once it has
 * been sent everything it is owed; a client that resets its connection is disconnected at once. The server goes on.
 */
function echo(selector: Selector): Callback {
  const outgoing: Buffer[] = [];
  const callback: Callback = (client, events) => {
    throw new Error('TODO(03-selectors): a client callback must echo what its client sends, and be watched for writing only while bytes are owed');
  };
  return callback;
}

/** Queues what the client sent; false if it is done sending (an empty read). */
function receive(client: Socket, outgoing: Buffer[]): boolean {
  const data = client.recv(4096);
  if (data.length === 0) return false;
  outgoing.push(data);
  return true;
}

/** Sends queued bytes until the kernel takes no more; what does not fit stays at the head of the queue. */
function sendWhatFits(client: Socket, outgoing: Buffer[]): void {
  while (outgoing.length > 0) {
    const chunk = outgoing[0]!;
    let sent: number;
    try {
      sent = client.send(chunk);
    } catch (error) {
      if (error instanceof BlockingIOError) return; // the buffer is full: wait until writable
      throw error;
    }
    if (sent < chunk.length) {
      outgoing[0] = chunk.subarray(sent);
      return;
    }
    outgoing.shift();
  }
}

/** Ends a client: `selector` forgets it, and only then is its socket closed, never the other way round. */
function disconnect(client: Socket, selector: Selector): void {
  throw new Error('TODO(03-selectors): disconnect() must have the selector forget the client, then close it');
}

runServer(import.meta.url, 5003, (server) => serveForever(server, selectorFromArgs()));
