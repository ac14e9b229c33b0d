/**
 * 08-async-web — one connection, many requests: the task that serves a client. (Yours to write:
 * readHead, skipBody, keepAlive and handleConnection.)
 *
 * Builds on 00 (the request parser and the responses, imported as they are) and 07 (the loop and its
 * socket coroutines): adds HTTP/1.1 keep-alive. In 00 a connection carried one request and closed. Here
 * it carries as many as the client sends, one after another, so the bytes that arrive after one request
 * head are the start of the next one (a pipelining client sends several before reading any answer):
 * they stay in `conn.buffer` for the next turn of the loop in `handleConnection`.
 *
 * Every wait is bounded. A head may be at most MAX_HEAD_BYTES long (431 beyond), and must arrive within
 * `headTimeout` seconds: a client that sends half a head and stalls is dropped, and meanwhile it holds
 * up nobody, since its task only waits (`yield*`) while every other task runs.
 */
import { ConnectionError, OSError, SHUT_WR, type Socket } from '../../fixtures/native/index.ts';
import { errorResponse, generateResponse, HttpError, parseRequest, type Request } from '../00-web-app/http.ts';
import { END_OF_HEAD, LEADING_EMPTY_LINES, LINGER_SECONDS, MAX_HEAD_BYTES } from '../00-web-app/server.ts';
import { sockRecv, sockSendall, timeout, TimeoutError } from '../07-event-loop/coroutines.ts';
import { CancelledError, type Coroutine } from '../07-event-loop/future.ts';

/** A client's connection, as its task sees it. */
export class Conn {
  static #opened = 0;
  /** A number for the log (`#3 GET / HTTP/1.1`): several lines with one number went over one connection. */
  readonly id = ++Conn.#opened;
  /** Bytes received and not used yet: the start of the next request, when the client pipelines. */
  buffer: Buffer = Buffer.alloc(0);
  /** Waiting for a request of which nothing has arrived: a server shutting down may close it at once. */
  idle = true;
  /** Set when the server shuts down: answer the request in hand, with `Connection: close`, and stop. */
  closing = false;

  constructor(
    readonly sock: Socket,
    readonly peer: string,
    /** No log lines for this connection (`--quiet`: a server under load spends its time serving, not logging). */
    readonly quiet = false,
  ) {}

  /** A line of the server's log about this connection, with its number first: `#3 GET / HTTP/1.1`. */
  log(text: string): void {
    if (!this.quiet) console.log(`#${this.id} ${text}`);
  }
}

export interface ConnOptions {
  /** How long a client may take to send a request head (and its body), in seconds. */
  headTimeout: number;
  /** Log nothing per connection or per request. */
  quiet?: boolean;
}

/**
 * The next request head on `conn`: its text (one character per byte) up to the empty line that ends it
 * (00's END_OF_HEAD: line ends CRLF or lone LF), without that line, and without the empty lines a
 * client may send before a request line (LEADING_EMPTY_LINES: a CRLF after its previous request, say).
 * `conn.buffer` outlives one request: a head may be there already, whole or in part,
 * and is then taken from there before the socket is read; what arrived after the head (a body, the next
 * pipelined request) stays in `conn.buffer`. While it waits, every other connection is served.
 *
 * - The client closes before sending a byte of this request: undefined (it is done, nothing to answer).
 * - The client closes halfway through the head: HttpError 400.
 * - A head longer than MAX_HEAD_BYTES: HttpError 431, as soon as more than that many bytes have come
 *   without the empty line (a head that never ends is not read for ever).
 * - `conn.idle` turns false as soon as a byte of this request arrives.
 */
export function* readHead(conn: Conn): Coroutine<string | undefined> {
  throw new Error('TODO(08-async-web): readHead() must return the next request head, leaving what follows it in conn.buffer');
}

/**
 * The length of the request's body, as its head frames it (RFC 9112 §6.3): its Content-Length, 0
 * without one; 400 for a Content-Length that is not one number. A body sent with Transfer-Encoding is
 * not read here, for this server decodes no transfer coding, chunked included: 501 Not Implemented
 * (RFC 9112 §6.1, RFC 9110 §15.6.2); and 400 when Content-Length comes with it, or when its last coding
 * is not chunked (RFC 9112 §6.3: either way the body's end is in doubt, the stuff of request
 * smuggling). An HttpError closes the connection, the body unread: bytes whose end nobody found must
 * never be read as the next request.
 */
export function bodyLength(request: Request): number {
  const value = request.headers.get('content-length');
  const codings = request.headers.get('transfer-encoding');
  if (codings !== undefined) {
    if (value !== undefined) throw new HttpError(400, 'Transfer-Encoding and Content-Length both: the end of the body is in doubt');
    const last = codings.split(',').at(-1)!.trim().toLowerCase();
    if (last !== 'chunked') throw new HttpError(400, `A request body whose last transfer coding is not chunked: ${JSON.stringify(codings)}`);
    throw new HttpError(501, `This server does not decode a body sent with Transfer-Encoding: ${codings}`);
  }
  if (value === undefined) return 0;
  if (!/^\d{1,15}$/.test(value)) throw new HttpError(400, `Not a Content-Length: ${JSON.stringify(value)}`);
  return Number(value);
}

/**
 * Reads and drops the `length` bytes of a request body. The views here take no body, but its bytes are
 * on the connection all the same: left there, they would be read as the next request. Some or all of
 * them may be in `conn.buffer` already; whatever arrives after them belongs to the next request and
 * stays in `conn.buffer`. The client closing before the body is complete: HttpError 400.
 */
export function* skipBody(conn: Conn, length: number): Coroutine<void> {
  throw new Error('TODO(08-async-web): skipBody() must drop the length bytes of the body, keeping what follows it in conn.buffer');
}

/** The next whole request on `conn` (head parsed and logged, body read), or undefined when the client is done. */
export function* readRequest(conn: Conn): Coroutine<Request | undefined> {
  const head = yield* readHead(conn);
  if (head === undefined) return undefined;
  const request = parseRequest(head);
  conn.log(`${request.method} ${request.path}${request.query ? `?${request.query}` : ''} ${request.version}`);
  yield* skipBody(conn, bodyLength(request));
  return request;
}

/**
 * Whether the client wants the connection kept open after this request: HTTP/1.1 keeps it unless the
 * client says `Connection: close`; HTTP/1.0 closes it unless the client says `Connection: keep-alive`.
 * The header's options are compared in any case: `Keep-Alive` is `keep-alive`.
 */
export function keepAlive(request: Request): boolean {
  throw new Error('TODO(08-async-web): keepAlive() must say whether the connection stays open after this request');
}

/**
 * Serves the requests on `conn` one after another, each answered in the order it came, for as long as
 * the connection is kept alive; each response says whether it is (`Connection: keep-alive` or `close`).
 * It returns (and `session` closes the socket, with lingeringClose: never close it here):
 *
 * - when the client closes between requests, or after answering a request that did not keep the
 *   connection alive;
 * - after the error page of an HttpError (400, 431, 501): a client that sent something else than HTTP,
 *   or a body whose end is not known, is done; the bytes it sent after that are never read as a request;
 * - when a request, head and body, takes longer than `options.headTimeout` seconds to arrive: the client
 *   is dropped without a word;
 * - once the server shuts down (`conn.closing`): the request in hand is answered with
 *   `Connection: close`, and no other is read.
 *
 * `conn.idle` is true exactly while the connection waits for a request of which nothing has arrived: a
 * shutdown closes such a connection at once, and lets any other finish its request.
 */
export function* handleConnection(conn: Conn, options: ConnOptions): Coroutine<void> {
  throw new Error('TODO(08-async-web): handleConnection() must answer requests one after another on the connection while it is kept alive');
}

/** What serves a connection: `handleConnection`, or (in the tests' known-wrong servers) a mistaken one. */
export type Handler = (conn: Conn, options: ConnOptions) => Coroutine<void>;

/**
 * Closes `conn` in stages, as 00's lingeringClose does and RFC 9112 §9.6 asks: shut down the sending
 * side (the client reads the end of the stream, FIN), read and drop what the client still sends until
 * it closes its side, for at most LINGER_SECONDS, and only then close. Closed at once with bytes of the
 * client unread or on their way, the socket would answer them with a reset, and a client that gets it
 * may lose the response it had not read yet. Here the waiting is done on the loop: the other
 * connections are served meanwhile. A client that resets the connection meanwhile ends it.
 */
export function* lingeringClose(conn: Conn): Coroutine<void> {
  try {
    conn.sock.shutdown(SHUT_WR);
    yield* timeout(LINGER_SECONDS, drain(conn.sock));
  } catch (error) {
    if (!(error instanceof TimeoutError || error instanceof OSError)) throw error; // time is up, or the client is gone
  } finally {
    conn.sock.close();
  }
}

/** Reads and drops what `sock` receives until the peer closes its side. */
function* drain(sock: Socket): Coroutine<void> {
  while ((yield* sockRecv(sock, 64 * 1024)).length > 0);
}

/**
 * A connection's whole life: serve it, then close it with lingeringClose; at once when it was reset, or
 * closed idle by a shutdown, either of which ends this task and nothing else.
 */
export function* session(conn: Conn, options: ConnOptions, handle: Handler = handleConnection): Coroutine<void> {
  conn.log(`connection from ${conn.peer}`);
  try {
    yield* handle(conn, options);
    yield* lingeringClose(conn);
  } catch (error) {
    if (error instanceof CancelledError) conn.log('closed: idle at shutdown');
    else if (error instanceof ConnectionError) conn.log(`is gone: ${error.message}`);
    else {
      console.error(error); // a bug: say so now (the server fails with it at shutdown)
      throw error;
    }
  } finally {
    conn.sock.close();
  }
}
