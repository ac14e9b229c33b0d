/**
 * 01-blocking — the blocking echo server, and its problem.
 *
 * One client at a time: accept a connection, echo what it sends until it is done sending, then
 * accept the next. While a client stays connected, the server sits in `recv()` for it, and every
 * other client waits in the kernel's listen queue. Exercise 02 fixes that without threads.
 */
import { ConnectionError, type Socket } from '../../fixtures/native/index.ts';
import { runServer } from '../../fixtures/program.ts';

/**
 * Echoes everything `client` sends, every byte and in order, for as long as the client keeps sending;
 * returns once the client has closed its side of the connection. It leaves `client` open: closing it
 * is serveForever's job.
 */
export function handleClient(client: Socket): void {
  for (;;) {
    const data = client.recv(4096); // blocks until the client sends something, or is done sending
    if (data.length === 0) return; // an empty read: the client shut down its sending side (FIN)
    client.sendall(data);
  }
}

/**
 * Serves clients one after another, forever: each is echoed by handleClient until it is done sending,
 * then closed, so it sees its connection end; then the next client gets its turn. A client that resets its
 * connection makes `recv` or `sendall` throw a `ConnectionError`: that ends this client, never the
 * server. Any other error is a bug, and stops the server.
 */
export function serveForever(server: Socket): void {
  for (;;) {
    const [client, [host, port]] = server.accept(); // blocks until a client connects
    console.log(`connection from ${host}:${port}`);
    try {
      handleClient(client);
    } catch (error) {
      // A client that resets the connection ends its own session, not the server.
      if (!(error instanceof ConnectionError)) throw error;
      console.log(`${host}:${port} is gone: ${error.message}`);
    } finally {
      client.close();
    }
  }
}

runServer(import.meta.url, 5001, serveForever);
