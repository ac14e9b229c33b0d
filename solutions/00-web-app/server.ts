/**
 * 00-web-app — an HTTP server on a raw socket, with routing as Flask and Django do it.
 *
 * One connection at a time: accept, read the request head until the blank line that ends it, answer
 * with `generateResponse` (in `http.ts`), close. Every byte goes through the binding's `recv` and
 * `sendall`; nothing of Node's own networking. It is also a blocking server: while one client takes
 * its time to send a request, nobody else is served. Exercise 01 looks at that problem squarely.
 */
import { ConnectionError, type Socket } from '../../fixtures/native/index.ts';
import { runServer } from '../../fixtures/program.ts';
import { errorResponse, generateResponse, HttpError, parseRequest } from './http.ts';

/** The largest request head this server reads. Without a bound, one client could fill its memory. */
export const MAX_HEAD_BYTES = 8 * 1024;

/** The blank line that ends a request head. */
const END_OF_HEAD = Buffer.from('\r\n\r\n');

/**
 * Reads from `client` until the end of the request head, and returns the head without the blank line,
 * one character per byte (latin1: any bytes decode, and HTTP heads are ASCII). TCP delivers a stream,
 * not messages: the head may come in one `recv` or in twenty, so keep reading until the blank line.
 * Returns undefined when the client leaves without sending anything; throws `HttpError` 431 when the
 * head grows past MAX_HEAD_BYTES, and 400 when the client leaves halfway through it.
 */
export function readHead(client: Socket): string | undefined {
  let received = Buffer.alloc(0);
  for (;;) {
    const end = received.indexOf(END_OF_HEAD);
    if ((end === -1 ? received.length : end) > MAX_HEAD_BYTES) {
      throw new HttpError(431, `The request head is longer than ${MAX_HEAD_BYTES} bytes`);
    }
    if (end !== -1) return received.subarray(0, end).toString('latin1');
    const data = client.recv(4096);
    if (data.length === 0) {
      if (received.length === 0) return undefined;
      throw new HttpError(400, 'The client closed the connection in the middle of its request');
    }
    received = Buffer.concat([received, data]);
  }
}

/** Answers one request on `client`: a page, a 404 or 405, or a 400/431 for a request that makes no sense. */
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

/** Accepts clients one after another, forever, answering one request on each. */
export function serveForever(server: Socket): void {
  for (;;) {
    const [client, [host, port]] = server.accept();
    try {
      handleClient(client);
    } catch (error) {
      // A client that resets the connection ends its own request, not the server.
      if (!(error instanceof ConnectionError)) throw error;
      console.log(`${host}:${port} is gone: ${error.message}`);
    } finally {
      client.close(); // Connection: close — the end of the body is the end of the connection
    }
  }
}

runServer(import.meta.url, 5000, serveForever);
