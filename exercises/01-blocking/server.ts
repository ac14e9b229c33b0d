/**
 * 01-blocking — the blocking echo server, and its problem.
 *
 * Complete `handleClient` and `serveForever`, then run the tests:  npm test -- exercises/01
 * Try it by hand:  npx tsx exercises/01-blocking/server.ts   and, in two other terminals,  nc 127.0.0.1 5001
 */
import { ConnectionError, type Socket } from '../../fixtures/native/index.ts';
import { runServer } from '../../fixtures/program.ts';

/**
 * Echoes everything `client` sends, every byte and in order, for as long as the client keeps sending;
 * returns once the client has closed its side of the connection. It leaves `client` open: closing it
 * is serveForever's job.
 */
export function handleClient(client: Socket): void {
  // TODO: ask yourself how a TCP peer says "I am done sending".
  throw new Error('TODO(01-blocking): handleClient() must echo what the client sends until the client closes its side');
}

/**
 * Serves clients one after another, forever: each is echoed by handleClient until it is done sending,
 * then closed, so it sees its connection end; then the next client gets its turn. A client that resets its
 * connection makes `recv` or `sendall` throw a `ConnectionError`: that ends this client, never the
 * server. Any other error is a bug, and stops the server.
 */
export function serveForever(server: Socket): void {
  // TODO: you read a loop like this one in 00's server.ts; now it is yours to write.
  throw new Error('TODO(01-blocking): serveForever() must accept clients one after another, echo each, and close it');
}

runServer(import.meta.url, 5001, serveForever);
