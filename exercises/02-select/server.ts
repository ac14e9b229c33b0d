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

/** The listening socket is readable: a client is waiting in the queue. Accept it and start watching it. */
function acceptConnection(server: Socket): void {
  // TODO: const [client] = server.accept(); make it non-blocking (client.setBlocking(false)); add it
  // to toMonitor, and give it an empty queue in outgoing. (If accept() raises BlockingIOError or a
  // ConnectionError, the client went away again: just return.)
  throw new Error('TODO(02-select): acceptConnection() should accept the waiting client and start watching it');
}

/** A client is readable: it sent something, which we queue to echo, or it left (an empty read). */
function receiveFrom(client: Socket): void {
  // TODO: const data = client.recv(4096); an empty Buffer means the client left: disconnect(client).
  // Otherwise do not send yet: push the data onto the client's queue in outgoing.
  throw new Error('TODO(02-select): receiveFrom() should queue what the client sent, or disconnect it if it left');
}

/** A client is writable: send as much of what we owe it as the kernel takes now, and keep the rest. */
function sendTo(client: Socket): void {
  // TODO: while the client's queue has chunks: const sent = client.send(chunk). If it took only part
  // (sent < chunk.length), keep the rest (chunk.subarray(sent)) at the head of the queue and return;
  // if it took all, drop the chunk. A BlockingIOError means the buffer is full: return, try next turn.
  throw new Error('TODO(02-select): sendTo() should send what the client is owed, keeping what does not fit');
}

/** Forgets a client everywhere select() could see it, then closes it. */
function disconnect(client: Socket): void {
  // TODO: remove the client from toMonitor and from outgoing, then client.close(). A closed socket
  // left in a list makes the next select() fail.
  throw new Error('TODO(02-select): disconnect() should forget the client everywhere, then close it');
}

/** Runs `handle(client)`; a client that resets its connection is disconnected, and the server goes on. */
function serveClient(client: Socket, handle: (client: Socket) => void): void {
  // TODO: call handle(client); if it throws a ConnectionError (reset, broken pipe), disconnect the
  // client; rethrow anything else.
  throw new Error('TODO(02-select): serveClient() should run handle(client) and disconnect the client if it reset');
}

/** The event loop: wait until some socket is ready, then let each ready socket do its part. */
export function serveForever(server: Socket): void {
  // TODO: make the server non-blocking and put it in toMonitor. Then forever:
  //   - the clients we owe bytes to are the ones to watch for writing;
  //   - const [readable, writable] = select(toMonitor, owed, []);   (no timeout: sleep until ready)
  //   - for each readable socket: the server → acceptConnection(server); a client → serveClient(sock, receiveFrom);
  //   - for each writable client still in outgoing → serveClient(client, sendTo).
  throw new Error('TODO(02-select): serveForever() should run the select() loop');
}

runServer(import.meta.url, 5002, serveForever);
