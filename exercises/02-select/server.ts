/**
 * 02-select — an event loop over select().
 *
 * Complete the functions below, then run the tests:  npm test -- exercises/02
 * Try it by hand:  npx tsx exercises/02-select/server.ts   and, in two or more terminals,  nc 127.0.0.1 5002
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
  throw new Error('TODO(02-select): acceptConnection() must accept the waiting client and start watching it');
}

/**
 * A client is readable: it sent something, or it is done sending (an empty read: it shut down its
 * sending side, and may still be reading, or it closed altogether). What it sent is queued, after
 * what it is already owed, to be echoed when it can take it. A client done sending is not read again,
 * and is disconnected once it is owed nothing: at once if it is owed nothing now, or when sendTo has
 * sent it the last byte it is owed.
 */
function receiveFrom(client: Socket): void {
  throw new Error('TODO(02-select): receiveFrom() must queue what the client sent, or stop reading it once it is done sending');
}

/**
 * A client we owe bytes to is writable: it gets as much of what it is owed as the kernel takes now,
 * oldest bytes first. Whatever the kernel did not take stays owed, in order, for a later turn: no
 * byte lost, none sent twice. A client done sending that has now been sent everything is disconnected.
 */
function sendTo(client: Socket): void {
  throw new Error('TODO(02-select): sendTo() must send what the client is owed, keeping what does not fit');
}

/**
 * Forgets a client everywhere select() could see it, and closes it: a closed socket left where the
 * loop finds it makes the next select() fail.
 */
function disconnect(client: Socket): void {
  throw new Error('TODO(02-select): disconnect() must forget the client everywhere, and close it');
}

/**
 * Runs `handle(client)`. A client that reset its connection (a ConnectionError: reset, broken pipe)
 * is disconnected, and the server goes on; any other error is a bug, better seen than swallowed.
 */
function serveClient(client: Socket, handle: (client: Socket) => void): void {
  throw new Error('TODO(02-select): serveClient() must run handle(client), and disconnect the client if it reset');
}

/**
 * The event loop, forever: waits until some socket is ready, then lets each ready socket do its part
 * (a waiting client is accepted, a client that sent something is read, a client owed bytes is sent
 * them). It waits nowhere but in select(), and sleeps there while nothing is ready: no timeout, and
 * a client is watched for writing only while it is owed bytes.
 */
export function serveForever(server: Socket): void {
  throw new Error('TODO(02-select): serveForever() must run the select() loop');
}

runServer(import.meta.url, 5002, serveForever);
