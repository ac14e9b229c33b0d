/**
 * 01-blocking — the blocking echo server, and its problem.
 *
 * Complete `handleClient` and `serveForever`, then run the tests:  npm test -- exercises/01
 * Try it by hand:  npx tsx exercises/01-blocking/server.ts   and, in two other terminals,  nc 127.0.0.1 5001
 */
import { ConnectionError, type Socket } from '../../fixtures/native/index.ts';
import { runServer } from '../../fixtures/program.ts';

/** Echoes everything `client` sends, until the client closes its side of the connection. */
export function handleClient(client: Socket): void {
  // TODO: loop: read up to 4096 bytes with client.recv(4096); an empty Buffer means the client
  // closed its side, so return; otherwise send every byte back with client.sendall(data).
  throw new Error('TODO(01-blocking): handleClient() should echo what the client sends until it closes');
}

/** Accepts clients one after another, forever. */
export function serveForever(server: Socket): void {
  // TODO: loop forever: const [client, address] = server.accept(); then handleClient(client), and
  // close the client afterwards (try/finally). A client that resets its connection makes recv or
  // send throw a ConnectionError: catch that one, so one rude client cannot stop the server.
  void ConnectionError;
  throw new Error('TODO(01-blocking): serveForever() should accept clients one after another');
}

runServer(import.meta.url, 5001, serveForever);
