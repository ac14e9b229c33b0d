/**
 * 03-selectors — DefaultSelector, and callbacks kept in key.data.
 *
 * Builds on 02: adds a selector, and puts in each registration the callback to call when that
 * socket is ready.
 *
 * A selector remembers what it watches: a socket is registered once, with the events it waits for
 * and any data we like, instead of lists rebuilt on every turn. Here the data is a callback. The
 * listening socket's callback accepts a client and registers it with a callback of its own; the
 * client's callback echoes. The loop then knows nothing about servers or clients: it asks the
 * selector who is ready and calls what it finds in `key.data`. That is the whole event loop.
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
  for (const [key, events] of selector.select()) key.data(key.fileobj, events);
}

/**
 * Has `selector` watch the listening socket for clients waiting to be accepted, with the callback
 * `acceptConnection(selector)` makes. The listening socket is non-blocking from then on.
 */
export function listenOn(server: Socket, selector: Selector): void {
  server.setBlocking(false);
  selector.register(server, EVENT_READ, acceptConnection(selector));
}

/** The event loop: listens on `server` with `selector`, then runs turns forever. */
export function serveForever(server: Socket, selector: Selector = new DefaultSelector<Socket, Callback>()): void {
  listenOn(server, selector);
  for (;;) runOnce(selector);
}

/**
 * Makes the listening socket's callback. It accepts the waiting client and has `selector` watch it,
 * non-blocking, with a callback of its own made by `echo(selector)`. A client gone again before it
 * is accepted is no error: the callback just returns.
 */
function acceptConnection(selector: Selector): Callback {
  return (server) => {
    let client: Socket;
    try {
      [client] = server.accept();
    } catch (error) {
      // The client may have gone again between select() and accept(): nothing to accept then.
      if (error instanceof BlockingIOError || error instanceof ConnectionError) return;
      throw error;
    }
    client.setBlocking(false);
    selector.register(client, EVENT_READ, echo(selector));
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
  let doneSending = false; // it shut down its side: it sends nothing more, but may still read
  const callback: Callback = (client, events) => {
    try {
      if (events & EVENT_READ && !receive(client, outgoing)) doneSending = true;
      // Send at once, as asyncio's transports do: a reply usually fits in the kernel's buffer, and
      // only what does not waits for EVENT_WRITE (two epoll_ctl calls and a turn saved per reply).
      if (outgoing.length > 0) sendWhatFits(client, outgoing);
    } catch (error) {
      if (!(error instanceof ConnectionError)) throw error;
      return disconnect(client, selector); // a reset or a broken pipe ends this client, not the server
    }
    // Done sending is not gone: it is closed once it has everything it is owed, and not read meanwhile
    // (an ended stream is readable on every turn).
    if (doneSending && outgoing.length === 0) return disconnect(client, selector);
    const wanted = (doneSending ? 0 : EVENT_READ) | (outgoing.length > 0 ? EVENT_WRITE : 0);
    if (selector.getKey(client).events !== wanted) selector.modify(client, wanted, callback);
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
  selector.unregister(client);
  client.close();
}

runServer(import.meta.url, 5003, (server) => serveForever(server, selectorFromArgs()));
