/**
 * 03-selectors — DefaultSelector, and callbacks kept in key.data.
 *
 * Complete the functions marked TODO, then run the tests:  npm test -- exercises/03
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

/** One turn of the loop: wait until some socket is ready, then call the callback registered with each. */
export function runOnce(selector: Selector): void {
  // TODO: for each [key, events] of selector.select() (no timeout), call key.data(key.fileobj, events).
  // That is all: the loop does not know which socket is the server, the callbacks do.
  throw new Error('TODO(03-selectors): runOnce() should select, then call key.data(key.fileobj, events) for each ready key');
}

/** Watches the listening socket: when it is readable, a client waits, and `acceptConnection` takes it. */
export function listenOn(server: Socket, selector: Selector): void {
  // TODO: make the server non-blocking, then selector.register(server, EVENT_READ, acceptConnection(selector)).
  throw new Error('TODO(03-selectors): listenOn() should register the listening socket with the accept callback');
}

/** The event loop. */
export function serveForever(server: Socket, selector: Selector = new DefaultSelector<Socket, Callback>()): void {
  // TODO: listenOn(server, selector), then run turns forever.
  throw new Error('TODO(03-selectors): serveForever() should listen on the selector, then run turns forever');
}

/** The listening socket's callback: accept the waiting client and register it with a callback of its own. */
function acceptConnection(selector: Selector): Callback {
  return (server) => {
    // TODO: as in 02: accept (return if it raises BlockingIOError or a ConnectionError), make the client
    // non-blocking; then selector.register(client, EVENT_READ, echo(selector)): its own callback.
    throw new Error('TODO(03-selectors): the accept callback should accept the client and register it with echo(selector)');
  };
}

/**
 * A client's callback, with the bytes it is still owed: read what it sent, send what fits, and
 * watch it for writing only while something is left to send.
 */
function echo(selector: Selector): Callback {
  const outgoing: Buffer[] = [];
  const callback: Callback = (client, events) => {
    // TODO:
    //  - if events has EVENT_READ: receive(client, outgoing); false means the client left: disconnect it.
    //  - if outgoing holds bytes (just read, or left over): sendWhatFits(client, outgoing) at once;
    //    most replies fit in the kernel's buffer, and only what does not needs EVENT_WRITE.
    //  - a ConnectionError from either: disconnect the client (rethrow anything else).
    //  - then watch it for EVENT_READ | EVENT_WRITE while outgoing holds bytes, else EVENT_READ only:
    //    selector.modify(client, events, callback) when that differs from selector.getKey(client).events.
    throw new Error('TODO(03-selectors): a client callback should read, send what fits, and update what it is watched for');
  };
  return callback;
}

/** Queues what the client sent; false if it left (an empty read). */
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

/** Unregisters a client before closing it: the selector must never watch a closed socket. */
function disconnect(client: Socket, selector: Selector): void {
  // TODO: selector.unregister(client), then client.close().
  throw new Error('TODO(03-selectors): disconnect() should unregister the client, then close it');
}

runServer(import.meta.url, 5003, (server) => serveForever(server, selectorFromArgs()));
