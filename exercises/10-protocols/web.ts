/**
 * 10-protocols — the web app of 00 as a protocol: 08's server without a coroutine per connection.
 * (Yours to write: HttpProtocol's methods that throw TODO. WebServer and serveForever are given.)
 *
 * Builds on 00 (the parser, the routes, the responses), 08 (its rules: `bodyLength`, `keepAlive`, the
 * head limit and timeout, the lingering close, the graceful shutdown) and loop.ts here. What 08's
 * `handleConnection` kept in local variables and in the place where its generator waited, an
 * HttpProtocol keeps in its fields: the bytes not used yet, the request whose body is still coming,
 * whether it is serving or closing. Each `dataReceived` answers every request that is whole, in order,
 * and returns; a request split across calls is taken up where it was left.
 */
import type { OptionValues } from '../../fixtures/command-line.ts';
import type { Socket } from '../../fixtures/native/index.ts';
import { runServer, say } from '../../fixtures/program.ts';
import { errorResponse, generateResponse, HttpError, parseRequest, type Request } from '../00-web-app/http.ts';
import { END_OF_HEAD, LEADING_EMPTY_LINES, LINGER_SECONDS, MAX_HEAD_BYTES } from '../00-web-app/server.ts';
import { Future, type Coroutine } from '../07-event-loop/future.ts';
import type { TimerHandle } from '../07-event-loop/loop.ts';
import { bodyLength, keepAlive, type ConnOptions } from '../08-async-web/connection.ts';
import { OPTIONS } from '../08-async-web/server.ts';
import { runUntilSignalled } from '../08-async-web/signals.ts';
import type { Protocol } from './protocol.ts';
import { ProtocolLoop, type Server } from './loop.ts';
import type { Transport } from './transport.ts';

const EMPTY = Buffer.alloc(0);
const CR = 0x0d;
const LF = 0x0a;

/**
 * One client's connection to the web app: 08's `handleConnection`, one event at a time. It answers the
 * requests of the connection in the order they come, each response saying whether the connection is
 * kept alive, and ends it (RFC 9112 §9.6, in stages: see `#finish`) after a request that does not keep
 * it, after an HttpError's page (400, 431, 501), or when a request takes longer than the head timeout
 * to arrive. It logs as 08 does: `#3 GET /blog HTTP/1.1`, through `log`.
 */
export class HttpProtocol implements Protocol {
  static #opened = 0;
  /** A number for the log: several lines with one number went over one connection. */
  readonly id = ++HttpProtocol.#opened;
  #transport!: Transport;
  /** Bytes received and not used yet: a request not whole yet, or the next ones of a pipelining client. */
  #buffer: Buffer = EMPTY;
  /** The request whose head is read and whose body is still coming; its body's bytes are dropped as they come. */
  #inHand: Request | undefined;
  /** How many bytes of the body of the request in hand are still to come. */
  #bodyLeft = 0;
  /** Serving requests; then closing in stages, reading only to drop what comes; then closed. */
  #state: 'serving' | 'lingering' | 'closed' = 'serving';
  /** The client does not read its responses (`pauseWriting`): no request is answered, and none read, until it does. */
  #writingPaused = false;
  /** The server shuts down: the request in hand is answered with `Connection: close`, and no other. */
  #closing = false;
  /** The loop time by which the awaited request must be whole. */
  #deadline = Infinity;
  /** The one timer that checks `#deadline`; moved only when it fires early, not once per request. */
  #clock: TimerHandle | undefined;

  constructor(readonly site: WebServer) {}

  /** GIVEN. A line of the server's log about this connection, with its number first: `#3 GET / HTTP/1.1`. */
  log(text: string): void {
    if (!this.site.options.quiet) console.log(`#${this.id} ${text}`);
  }

  /**
   * Keeps the transport, tells the site this connection is open (`site.opened`), logs `connection from
   * HOST:PORT` (the tests wait for that line), and starts the clock for the first request.
   */
  connectionMade(transport: Transport): void {
    throw new Error('TODO(10-protocols): HttpProtocol.connectionMade() must keep the transport, tell the site, log the connection and start the clock');
  }

  /** Adds what came to the buffer and answers every request now whole. While lingering, drops it. */
  dataReceived(data: Buffer): void {
    throw new Error('TODO(10-protocols): HttpProtocol.dataReceived() must add the bytes to the buffer and answer the requests now whole');
  }

  /**
   * The client is done sending. Between two requests, that is goodbye: nothing to answer. In the middle
   * of one (head or body), that request is cut short: 400. Either way the transport closes once the
   * responses are sent; a lingering close is over.
   */
  eofReceived(): boolean {
    throw new Error('TODO(10-protocols): HttpProtocol.eofReceived() must answer 400 to a request cut short, and let the transport close');
  }

  /** The connection is over: its clock stops, a reset is logged (`is gone: …`), and the site hears of it (`site.closed`). */
  connectionLost(error: Error | undefined): void {
    throw new Error('TODO(10-protocols): HttpProtocol.connectionLost() must stop the clock and tell the site');
  }

  /** The client does not read: answer nothing more, and read nothing more, until it does. */
  pauseWriting(): void {
    throw new Error('TODO(10-protocols): HttpProtocol.pauseWriting() must stop answering and reading until resumeWriting()');
  }

  /** The client reads again: answer the requests waiting in the buffer, then read on (unless paused again). */
  resumeWriting(): void {
    throw new Error('TODO(10-protocols): HttpProtocol.resumeWriting() must answer the requests waiting, then read again');
  }

  /**
   * The server shuts down. An idle connection (waiting for a request of which nothing has come) closes
   * at once, without a word; a busy one answers its request in hand with `Connection: close`, then ends.
   */
  shutdown(): void {
    throw new Error('TODO(10-protocols): HttpProtocol.shutdown() must close an idle connection at once, and have a busy one close after its response');
  }

  /** GIVEN. Nothing of a request has come: no byte in the buffer, no request in hand. */
  get #idle(): boolean {
    return this.#buffer.length === 0 && this.#inHand === undefined;
  }

  /**
   * Answers the requests whole in the buffer, one after another, in the order they came, while the
   * connection serves and writing is not paused; what is not whole yet stays for the next call. An
   * HttpError (a bad head, a head too long, a body this server does not read) gets its error page, and
   * the connection ends: nothing after it is read as a request.
   */
  #answerRequests(): void {
    throw new Error('TODO(10-protocols): HttpProtocol#answerRequests() must answer the whole requests in the buffer, in order, while it may');
  }

  /**
   * The next request, once it is whole: its head taken from the buffer, parsed and logged, and its body
   * dropped, as much of it as has come. Undefined while either is not whole yet: the head waits in the
   * buffer, the request in `#inHand`, for more bytes. Throws 431 for a head longer than MAX_HEAD_BYTES
   * (as soon as more than that have come), and what `parseRequest` and `bodyLength` throw.
   */
  #takeRequest(): Request | undefined {
    throw new Error('TODO(10-protocols): HttpProtocol#takeRequest() must give the next request once its head and body have come');
  }

  /**
   * The head at the front of the buffer, if it is whole: its text up to the empty line that ends it,
   * without that line and without empty lines before it (00's END_OF_HEAD and LEADING_EMPTY_LINES, as
   * 08's readHead), cut off the buffer. Undefined if its end has not come yet.
   */
  #takeHead(): string | undefined {
    throw new Error('TODO(10-protocols): HttpProtocol#takeHead() must cut a whole head off the front of the buffer');
  }

  /** Answers `request` in one write, keeping the connection if it asks to (and no shutdown has begun), or ending it. */
  #answer(request: Request): void {
    throw new Error('TODO(10-protocols): HttpProtocol#answer() must write the response, and keep or end the connection');
  }

  /** Answers an HttpError with its page, and ends the connection. */
  #refuse(error: HttpError): void {
    throw new Error('TODO(10-protocols): HttpProtocol#refuse() must write the error page and end the connection');
  }

  /**
   * Ends the connection in stages, as 08's lingeringClose does (RFC 9112 §9.6): the sending side is shut
   * down once the responses are sent (`writeEof`), what the client still sends is read and dropped
   * until it closes its side (then `eofReceived` lets the transport close), for at most LINGER_SECONDS.
   */
  #finish(): void {
    throw new Error('TODO(10-protocols): HttpProtocol#finish() must end the connection in stages: writeEof, drop what comes, close after LINGER_SECONDS at most');
  }

  /**
   * The next request must be whole within the head timeout from now. A timer per request would cost an
   * allocation and a heap entry for each; here the deadline only moves, and the connection's one timer
   * looks at it when it fires (`#checkClock`).
   */
  #startClock(): void {
    throw new Error('TODO(10-protocols): HttpProtocol#startClock() must give the next request the head timeout from now');
  }

  /**
   * The timer fired: if the deadline has moved since it was set, it is set again for the new one; if it
   * has passed, the client is dropped without a word, as 08 drops it. While the client does not read
   * (writing paused), the clock stands still: `resumeWriting` starts it again.
   */
  #checkClock(): void {
    throw new Error('TODO(10-protocols): HttpProtocol#checkClock() must drop a client whose request is late, or look again at the new deadline');
  }
}

/**
 * GIVEN. The web server: HttpProtocols on a ProtocolLoop, and 08's graceful shutdown. It knows its open
 * connections (each tells it when it is made and when it is lost), so that a shutdown can tell each of
 * them, and `serve` can end once the last one is gone.
 */
export class WebServer {
  readonly #connections = new Set<HttpProtocol>();
  readonly #server: Server;
  /** Resolved once the server has shut down and the last connection is closed: `serve` returns then. */
  readonly #finished: Future<void>;
  #shuttingDown = false;

  constructor(
    readonly loop: ProtocolLoop,
    listener: Socket,
    readonly options: ConnOptions,
  ) {
    this.#finished = new Future<void>(loop);
    this.#server = loop.createServer(() => new HttpProtocol(this), listener);
  }

  /** What `runUntilSignalled` runs: it ends when the server has shut down, every response sent. */
  *serve(): Coroutine<void> {
    yield* this.#finished;
    say('shut down: every response sent');
  }

  opened(connection: HttpProtocol): void {
    this.#connections.add(connection);
  }

  closed(connection: HttpProtocol): void {
    this.#connections.delete(connection);
    this.#finishIfDone();
  }

  /**
   * On SIGTERM or SIGINT, as 08's shutdown: prints `shutting down…`, stops accepting (new connections
   * are refused), and tells every connection; `serve` ends once the last one is closed.
   */
  shutdown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    say(`shutting down: no new connections, ${this.#connections.size} open`);
    this.#server.close();
    for (const connection of this.#connections) connection.shutdown();
    this.#finishIfDone();
  }

  #finishIfDone(): void {
    if (this.#shuttingDown && this.#connections.size === 0 && !this.#finished.done()) this.#finished.setResult();
  }
}

/** GIVEN. 08's command line (`--head-timeout SECONDS`, `--quiet`), 08's way of hearing signals. */
export function serveForever(listener: Socket, options: OptionValues<typeof OPTIONS>): void {
  const loop = new ProtocolLoop();
  const server = new WebServer(loop, listener, { headTimeout: options['head-timeout'], quiet: options.quiet });
  runUntilSignalled(loop, server.serve(), () => server.shutdown());
}

runServer(import.meta.url, 5011, serveForever, OPTIONS);
