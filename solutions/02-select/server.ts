/**
 * 02-select — an event loop over select().
 *
 * Builds on 01: adds select(), so one thread serves every client at once.
 *
 * Every socket is a file, and `select()` answers one question about a list of files: which of them
 * could I use now without blocking? The loop asks it, then hands control to whoever is ready: the
 * listening socket means a client waits to be accepted; a client socket means it sent something (or
 * is done sending); a writable client means there is room again in its send buffer for the reply we
 * owe it.
 *
 * Readiness is a hint (the client may be gone by the time it is accepted), so every socket is
 * non-blocking: a call made at the wrong moment raises BlockingIOError instead of freezing the loop;
 * and select() is called without a timeout, so an idle server sleeps in the kernel.
 */
import { BlockingIOError, ConnectionError, select, type Socket } from '../../fixtures/native/index.ts';
import { runServer } from '../../fixtures/program.ts';

/** The sockets select() watches for reading: the listening socket, and every connected client. */
const toMonitor: Socket[] = [];

/**
 * The bytes each client is still owed, oldest first. A client with bytes here is also watched for
 * writing; when it has none, it is left out, or select() would report it writable on every turn.
 */
const outgoing = new Map<Socket, Buffer[]>();

/**
 * The listening socket is readable: a client is waiting to be accepted. Accepts it, and from now on
 * the loop watches it for reading, owing it nothing yet. A client that gave up before it was accepted
 * is no error: then there is nothing to do.
 */
function acceptConnection(server: Socket): void {
  let client: Socket;
  try {
    [client] = server.accept();
  } catch (error) {
    // The client may have gone again between select() and accept(): nothing to accept then.
    if (error instanceof BlockingIOError || error instanceof ConnectionError) return;
    throw error;
  }
  client.setBlocking(false);
  toMonitor.push(client);
  outgoing.set(client, []);
}

/**
 * A client is readable: it sent something, or it is done sending (an empty read: it shut down its
 * sending side, and may still be reading, or it closed altogether). What it sent is queued, after
 * what it is already owed, to be echoed when it can take it. A client done sending is not read again,
 * and is disconnected once it is owed nothing: at once if it is owed nothing now, or when sendTo has
 * sent it the last byte it is owed.
 */
function receiveFrom(client: Socket): void {
  const data = client.recv(4096);
  if (data.length > 0) {
    outgoing.get(client)!.push(data);
    return;
  }
  // Done sending is not gone: the client may still be reading its echo. Stop reading it (an ended
  // stream is readable on every turn), and close it only once it has everything it is owed.
  stopWatching(client);
  if (outgoing.get(client)!.length === 0) disconnect(client);
}

/**
 * A client we owe bytes to is writable: it gets as much of what it is owed as the kernel takes now,
 * oldest bytes first. Whatever the kernel did not take stays owed, in order, for a later turn: no
 * byte lost, none sent twice. A client done sending that has now been sent everything is disconnected.
 */
function sendTo(client: Socket): void {
  const queue = outgoing.get(client)!;
  while (queue.length > 0) {
    const chunk = queue[0]!;
    let sent: number;
    try {
      sent = client.send(chunk);
    } catch (error) {
      if (error instanceof BlockingIOError) return; // the buffer is full again: wait for the next turn
      throw error;
    }
    if (sent < chunk.length) {
      queue[0] = chunk.subarray(sent); // a partial send: the rest goes when the socket is writable again
      return;
    }
    queue.shift();
  }
  if (!toMonitor.includes(client)) disconnect(client); // done sending, and now owed nothing
}

/**
 * Forgets a client everywhere select() could see it, and closes it: a closed socket left where the
 * loop finds it makes the next select() fail.
 */
function disconnect(client: Socket): void {
  stopWatching(client);
  outgoing.delete(client);
  client.close();
}

/** Takes `client` out of the sockets watched for reading, if it is there. */
function stopWatching(client: Socket): void {
  const at = toMonitor.indexOf(client);
  if (at !== -1) toMonitor.splice(at, 1);
}

/**
 * Runs `handle(client)`. A client that reset its connection (a ConnectionError: reset, broken pipe)
 * is disconnected, and the server goes on; any other error is a bug, better seen than swallowed.
 */
function serveClient(client: Socket, handle: (client: Socket) => void): void {
  try {
    handle(client);
  } catch (error) {
    if (!(error instanceof ConnectionError)) throw error;
    disconnect(client);
  }
}

/**
 * The event loop, forever: waits until some socket is ready, then lets each ready socket do its part
 * (a waiting client is accepted, a client that sent something is read, a client owed bytes is sent
 * them). It waits nowhere but in select(), and sleeps there while nothing is ready: no timeout, and
 * a client is watched for writing only while it is owed bytes.
 */
export function serveForever(server: Socket): void {
  server.setBlocking(false);
  toMonitor.push(server);
  for (;;) {
    const owed = [...outgoing].filter(([, queue]) => queue.length > 0).map(([client]) => client);
    const [readable, writable] = select(toMonitor, owed, []); // no timeout: sleep until something happens
    for (const sock of readable) {
      if (sock === server) acceptConnection(server);
      else serveClient(sock, receiveFrom);
    }
    for (const client of writable) {
      // A client that left while its data was read this turn is gone from `outgoing`: skip it.
      if (outgoing.has(client)) serveClient(client, sendTo);
    }
  }
}

runServer(import.meta.url, 5002, serveForever);
