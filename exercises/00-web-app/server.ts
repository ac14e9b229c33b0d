/**
 * 00-web-app — an HTTP server on a raw socket, with routing as Flask and Django do it.
 *
 * One connection at a time: accept, read the request head until the blank line that ends it, answer
 * with `generateResponse` (in `http.ts`), close. Every byte goes through the binding's `recv` and
 * `sendall`; nothing of Node's own networking. It is also a blocking server: while one client takes
 * its time to send a request, nobody else is served. Exercise 01 looks at that problem squarely.
 *
 * Complete `readHead`, `handleClient` and `serveForever` (after http.ts), then:  npm test -- exercises/00
 * Try it by hand:  npx tsx exercises/00-web-app/server.ts   and  curl -i http://127.0.0.1:5000/blog
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
  // TODO: keep a Buffer of what arrived so far. Loop: if it holds END_OF_HEAD, return what comes before
  // it, as received.subarray(0, end).toString('latin1'). If the head is longer than MAX_HEAD_BYTES,
  // throw new HttpError(431, why). Otherwise read more with client.recv(4096) and append it
  // (Buffer.concat). An empty Buffer means the client left: return undefined if it sent nothing at
  // all, else throw new HttpError(400, why), for its request is incomplete.
  void [END_OF_HEAD, HttpError];
  throw new Error('TODO(00-web-app): readHead() should read from the client until the blank line that ends the request head');
}

/** Answers one request on `client`: a page, a 404 or 405, or a 400/431 for a request that makes no sense. */
export function handleClient(client: Socket): void {
  // TODO: readHead(client); if it returns undefined, return (nobody to answer). Otherwise parse it with
  // parseRequest and make the response with generateResponse. readHead and parseRequest throw
  // HttpError for a bad request: catch it and answer errorResponse(error) instead. Rethrow anything
  // else: that is a bug. Send the response with client.sendall.
  void [parseRequest, generateResponse, errorResponse];
  throw new Error('TODO(00-web-app): handleClient() should read one request, and send the response to it (or a 400/431)');
}

/** Accepts clients one after another, forever, answering one request on each. */
export function serveForever(server: Socket): void {
  // TODO: loop forever: const [client, address] = server.accept(); handleClient(client), and
  // close the client afterwards (try/finally: Connection: close). A client that resets its connection
  // makes recv or send throw a ConnectionError: catch that one, so one rude client cannot stop the server.
  void ConnectionError;
  throw new Error('TODO(00-web-app): serveForever() should accept clients one after another and answer each');
}

runServer(import.meta.url, 5000, serveForever);
