/**
 * 08-async-web — one connection, many requests: the task that serves a client. (Your part: the TODOs.)
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
import { ConnectionError, type Socket } from '../../fixtures/native/index.ts';
import { errorResponse, generateResponse, HttpError, parseRequest, type Request } from '../00-web-app/http.ts';
import { MAX_HEAD_BYTES } from '../00-web-app/server.ts';
import { sockRecv, sockSendall, timeout, TimeoutError } from '../07-event-loop/coroutines.ts';
import { CancelledError, type Coroutine } from '../07-event-loop/future.ts';

/** The blank line that ends a request head. */
const END_OF_HEAD = Buffer.from('\r\n\r\n');

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
 * Reads the next request head from `conn`: its bytes up to the blank line, which are taken out of
 * `conn.buffer` (what follows stays there). Returns undefined when the client closes the connection
 * between requests; throws HttpError 431 when the head grows past MAX_HEAD_BYTES, 400 when the client
 * leaves halfway through it.
 */
export function* readHead(conn: Conn): Coroutine<string | undefined> {
  // TODO: 00's readHead, on the loop, with a buffer that outlives one request:
  //   - look for END_OF_HEAD in conn.buffer; past MAX_HEAD_BYTES without it, throw HttpError 431;
  //   - found: take the head out of conn.buffer (latin1), leave what follows it there, return the head;
  //   - not yet: `yield* sockRecv(conn.sock, 64 * 1024)`; empty means the client left (undefined if
  //     nothing of this request had come, else HttpError 400); otherwise set conn.idle = false and
  //     append the bytes to conn.buffer.
  throw new Error('TODO(08-async-web): readHead should read up to the blank line (CRLF CRLF) into conn.buffer with sockRecv, and return the head, leaving what follows in conn.buffer');
}

/** The length of the request's body: its Content-Length, 0 without one; 400 for anything but a number. */
export function contentLength(request: Request): number {
  const value = request.headers.get('content-length');
  if (value === undefined) return 0;
  if (!/^\d{1,15}$/.test(value)) throw new HttpError(400, `Not a Content-Length: ${JSON.stringify(value)}`);
  return Number(value);
}

/**
 * Reads and drops the `length` bytes of a request body. The views here take no body, but its bytes are
 * on the connection all the same: left there, they would be read as the next request.
 */
export function* skipBody(conn: Conn, length: number): Coroutine<void> {
  // TODO: drop `length` bytes: first from conn.buffer, then from `yield* sockRecv(...)` until enough
  // have come (what comes after them belongs to the next request: keep it in conn.buffer).
  // The client leaving before the end is HttpError 400.
  throw new Error('TODO(08-async-web): skipBody should read and drop the Content-Length bytes of the body, from conn.buffer first, then from the socket');
}

/** The next whole request on `conn` (head parsed and logged, body read), or undefined when the client is done. */
export function* readRequest(conn: Conn): Coroutine<Request | undefined> {
  const head = yield* readHead(conn);
  if (head === undefined) return undefined;
  const request = parseRequest(head);
  conn.log(`${request.method} ${request.path}${request.query ? `?${request.query}` : ''} ${request.version}`);
  yield* skipBody(conn, contentLength(request));
  return request;
}

/**
 * Whether the client wants the connection kept open after this request: HTTP/1.1 keeps it unless the
 * client says `Connection: close`; HTTP/1.0 closes it unless the client says `Connection: keep-alive`.
 */
export function keepAlive(request: Request): boolean {
  // TODO: look at the Connection header (lower-case, comma-separated options): `close` closes;
  // otherwise HTTP/1.1 keeps the connection, HTTP/1.0 only with `keep-alive`.
  throw new Error('TODO(08-async-web): keepAlive should say whether the connection stays open after this request (Connection header, HTTP version)');
}

/**
 * Serves requests on `conn` one after another, in the order they came, until the client closes, asks
 * to close, sends something that is not HTTP (400, then close), or takes longer than `headTimeout`
 * to send a request (dropped without an answer).
 */
export function* handleConnection(conn: Conn, options: ConnOptions): Coroutine<void> {
  // TODO: a loop, one request per turn:
  //   - conn.idle = nothing of the next request is in conn.buffer yet;
  //   - request = yield* timeout(options.headTimeout, readRequest(conn)): TimeoutError → log
  //     (conn.log) and return (dropped, no answer); HttpError → send errorResponse(error) and return; undefined →
  //     the client is done: return;
  //   - conn.idle = false; keep the connection open if keepAlive(request) and not conn.closing;
  //   - send generateResponse(request, 'keep-alive' or 'close'); return unless kept open (or
  //     conn.closing has been set meanwhile: the server is shutting down).
  throw new Error('TODO(08-async-web): handleConnection should answer requests one after another on the same connection (keep-alive) until the client closes or asks to close');
}

/** What serves a connection: `handleConnection`, or (in the tests' known-wrong servers) a mistaken one. */
export type Handler = (conn: Conn, options: ConnOptions) => Coroutine<void>;

/**
 * A connection's whole life: serve it, and close the socket however that ends. A client that resets
 * the connection, or a shutdown that closes an idle one, ends this task and nothing else.
 */
export function* session(conn: Conn, options: ConnOptions, handle: Handler = handleConnection): Coroutine<void> {
  conn.log(`connection from ${conn.peer}`);
  try {
    yield* handle(conn, options);
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
