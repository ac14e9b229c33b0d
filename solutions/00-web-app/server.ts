/**
 * 00-web-app — an HTTP server on a raw socket, with routing as Flask and Django do it.
 *
 * One connection at a time: accept, read the request head until the blank line that ends it, answer
 * with `generateResponse` (in `http.ts`), close. Every byte goes through the binding's `recv` and
 * `sendall`; nothing of Node's own networking. It is also a blocking server: while one client takes
 * its time to send a request, nobody else is served. Exercise 01 looks at that problem squarely.
 */
import { ConnectionError, OSError, select, SHUT_WR, type Socket } from '../../fixtures/native/index.ts';
import { runServer } from '../../fixtures/program.ts';
import { errorResponse, generateResponse, HttpError, parseRequest } from './http.ts';

/** The largest request head this server reads. Without a bound, one client could fill its memory. */
export const MAX_HEAD_BYTES = 8 * 1024;

/**
 * The empty line that ends a request head. A line ends with CRLF; RFC 9112 §2.2 lets a server also take a
 * lone LF, which is what `printf 'GET / HTTP/1.1\n\n' | nc …` sends: this server does.
 */
export const END_OF_HEAD = /\r?\n\r?\n/;

/** Empty lines before the request line, which RFC 9112 §2.2 asks a server to ignore. */
export const LEADING_EMPTY_LINES = /^(\r?\n)+/;

/**
 * How long a closing connection may still be read from and its bytes dropped, once the response is
 * sent (see `lingeringClose`): long enough for a client to read the response and hang up, short enough
 * that a client that never stops sending cannot hold the server.
 */
export const LINGER_SECONDS = 1;

/**
 * Reads one request head from `client` and returns it without the empty line that ends it (END_OF_HEAD:
 * its line ends CRLF or lone LF) and without any empty lines before it (LEADING_EMPTY_LINES), decoded
 * one character per byte (latin1: no byte can fail to decode, and a head is ASCII anyway).
 * TCP delivers a stream of bytes, not messages: the head may arrive in one piece or in twenty, split
 * anywhere, even inside the blank line. When the client leaves (an empty `recv`) before sending a byte,
 * it returns undefined: nobody asked anything. When it leaves partway through a head, it throws
 * `HttpError` 400: that request is incomplete. Once more than MAX_HEAD_BYTES have come without the end
 * of the head, it throws `HttpError` 431 at once, without waiting for more.
 */
export function readHead(client: Socket): string | undefined {
  let received = ''; // latin1: one character per byte, so a byte split between two reads stays whole
  for (;;) {
    received = received.replace(LEADING_EMPTY_LINES, '');
    const end = received.search(END_OF_HEAD);
    if ((end === -1 ? received.length : end) > MAX_HEAD_BYTES) {
      throw new HttpError(431, `The request head is longer than ${MAX_HEAD_BYTES} bytes`);
    }
    if (end !== -1) return received.slice(0, end);
    const data = client.recv(4096);
    if (data.length === 0) {
      if (received.length === 0) return undefined;
      throw new HttpError(400, 'The client closed the connection in the middle of its request');
    }
    received += data.toString('latin1');
  }
}

/**
 * Answers the one request `client` sends: the response the route table gives, or, when the head cannot
 * be read or parsed (an `HttpError`: 400, 431), that error's response. A bad request is the client's
 * mistake: it gets an answer, and the server goes on. A client that leaves without a word gets nothing.
 * It leaves `client` open (serveForever closes it), and lets every other error through: a
 * `ConnectionError` ends this client in serveForever; anything else is a bug, and stops the server.
 */
export function handleClient(client: Socket): void {
  let response: Buffer;
  try {
    const head = readHead(client);
    if (head === undefined) return; // connected and left: nobody to answer
    const request = parseRequest(head);
    console.log(`${request.method} ${request.path}${request.query ? `?${request.query}` : ''} ${request.version}`);
    response = generateResponse(request);
  } catch (error) {
    // A bad request is the client's mistake: answer it with its status. Anything else is a bug.
    if (!(error instanceof HttpError)) throw error;
    console.log(`${error.status}: ${error.message}`);
    response = errorResponse(error);
  }
  client.sendall(response);
}

/**
 * GIVEN: you read this one, you do not write it. Closes `client` the way RFC 9112 §9.6 asks, once its
 * response is sent. A socket closed with bytes of the client still unread, or still on their way (the
 * rest of a head too large, a body nobody reads), makes Linux answer with a reset (RST) instead of the
 * orderly end of the stream (FIN), and a client that gets the reset may lose the response it had not
 * read yet. So the close goes in stages: shut down the sending side (SHUT_WR: the client reads the end
 * of the response), read and drop whatever the client still sends until it closes its side too, for at
 * most LINGER_SECONDS, and only then close. A client that resets the connection meanwhile ends it.
 */
export function lingeringClose(client: Socket): void {
  try {
    client.shutdown(SHUT_WR);
    const deadline = performance.now() + LINGER_SECONDS * 1000;
    for (;;) {
      const left = (deadline - performance.now()) / 1000;
      if (left <= 0) break;
      const [readable] = select([client], [], [], left);
      if (readable.length === 0 || client.recv(64 * 1024).length === 0) break; // time is up, or the client closed
    }
  } catch (error) {
    if (!(error instanceof OSError)) throw error; // reset, or already gone: there is nothing left to protect
  } finally {
    client.close();
  }
}

/**
 * GIVEN: you read this one, you do not write it. Accepts clients one after another, forever: answers
 * one request on each with handleClient, then closes it (`Connection: close`) with lingeringClose. A
 * client that resets its connection makes `recv` or `sendall` throw a `ConnectionError`; that ends the
 * client, never the server. Writing such a loop yourself, and meeting its problem (while one client
 * takes its time, every other client waits), is exercise 01.
 */
export function serveForever(server: Socket): void {
  for (;;) {
    const [client, [host, port]] = server.accept();
    try {
      handleClient(client);
      lingeringClose(client); // the response is sent: end the stream (FIN), never with a reset
    } catch (error) {
      // A client that resets the connection ends its own request, not the server.
      if (!(error instanceof ConnectionError)) throw error;
      console.log(`${host}:${port} is gone: ${error.message}`);
    } finally {
      client.close(); // closed already, unless handleClient threw: then at once, for the client is gone
    }
  }
}

runServer(import.meta.url, 5000, serveForever);
