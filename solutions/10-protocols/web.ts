/**
 * 10-protocols — the web app of 00 as a protocol: 08's server without a coroutine per connection.
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
    this.#transport = transport;
    this.site.opened(this);
    const [host, port] = transport.peername ?? ['?', 0];
    this.log(`connection from ${host}:${port}`);
    this.#startClock();
  }

  /** Adds what came to the buffer and answers every request now whole. While lingering, drops it. */
  dataReceived(data: Buffer): void {
    if (this.#state !== 'serving') return;
    this.#buffer = this.#buffer.length === 0 ? data : Buffer.concat([this.#buffer, data]);
    this.#answerRequests();
  }

  /**
   * The client is done sending. Between two requests, that is goodbye: nothing to answer. In the middle
   * of one (head or body), that request is cut short: 400. Either way the transport closes once the
   * responses are sent; a lingering close is over.
   */
  eofReceived(): boolean {
    if (this.#state === 'serving' && !this.#idle) {
      this.#refuse(new HttpError(400, 'The client closed the connection in the middle of its request'));
    }
    return false;
  }

  /** The connection is over: its clock stops, a reset is logged (`is gone: …`), and the site hears of it (`site.closed`). */
  connectionLost(error: Error | undefined): void {
    this.#state = 'closed';
    this.#clock?.cancel();
    if (error) this.log(`is gone: ${error.message}`);
    this.site.closed(this);
  }

  /** The client does not read: answer nothing more, and read nothing more, until it does. */
  pauseWriting(): void {
    this.#writingPaused = true;
    this.#transport.pauseReading();
  }

  /** The client reads again: answer the requests waiting in the buffer, then read on (unless paused again). */
  resumeWriting(): void {
    this.#writingPaused = false;
    if (this.#state !== 'serving') return;
    this.#startClock();
    this.#answerRequests();
    if (!this.#writingPaused && this.#state === 'serving') this.#transport.resumeReading();
  }

  /**
   * The server shuts down. An idle connection (waiting for a request of which nothing has come) closes
   * at once, without a word; a busy one answers its request in hand with `Connection: close`, then ends.
   */
  shutdown(): void {
    this.#closing = true;
    if (this.#state !== 'serving' || !this.#idle) return;
    this.log('closed: idle at shutdown');
    this.#state = 'closed';
    this.#transport.close();
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
    try {
      while (this.#state === 'serving' && !this.#writingPaused) {
        const request = this.#takeRequest();
        if (!request) return;
        this.#answer(request);
      }
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      this.#refuse(error);
    }
  }

  /**
   * The next request, once it is whole: its head taken from the buffer, parsed and logged, and its body
   * dropped, as much of it as has come. Undefined while either is not whole yet: the head waits in the
   * buffer, the request in `#inHand`, for more bytes. Throws 431 for a head longer than MAX_HEAD_BYTES
   * (as soon as more than that have come), and what `parseRequest` and `bodyLength` throw.
   */
  #takeRequest(): Request | undefined {
    if (!this.#inHand) {
      const head = this.#takeHead();
      if (head === undefined) return undefined;
      const request = parseRequest(head);
      this.log(`${request.method} ${request.path}${request.query ? `?${request.query}` : ''} ${request.version}`);
      this.#bodyLeft = bodyLength(request);
      this.#inHand = request;
    }
    if (this.#bodyLeft > 0) {
      const dropped = Math.min(this.#bodyLeft, this.#buffer.length);
      this.#buffer = this.#buffer.subarray(dropped);
      this.#bodyLeft -= dropped;
      if (this.#bodyLeft > 0) return undefined;
    }
    const request = this.#inHand;
    this.#inHand = undefined;
    return request;
  }

  /**
   * The head at the front of the buffer, if it is whole: its text up to the empty line that ends it,
   * without that line and without empty lines before it (00's END_OF_HEAD and LEADING_EMPTY_LINES, as
   * 08's readHead), cut off the buffer. Undefined if its end has not come yet.
   */
  #takeHead(): string | undefined {
    if (this.#buffer.length === 0) return undefined; // the usual case once a read's requests are answered
    const first = this.#buffer[0];
    if (first === CR || first === LF) {
      // Empty lines before a request line are rare: only then is the start of the buffer decoded twice.
      const leading = LEADING_EMPTY_LINES.exec(this.#buffer.toString('latin1', 0, 64))?.[0].length ?? 0;
      this.#buffer = this.#buffer.subarray(leading);
    }
    const text = this.#buffer.toString('latin1', 0, MAX_HEAD_BYTES + 4);
    const end = END_OF_HEAD.exec(text);
    if ((end ? end.index : this.#buffer.length) > MAX_HEAD_BYTES) {
      throw new HttpError(431, `The request head is longer than ${MAX_HEAD_BYTES} bytes`);
    }
    if (!end) return undefined;
    const rest = end.index + end[0].length;
    // One request per read is the usual case: then nothing is left, and no view of nothing is made.
    this.#buffer = rest < this.#buffer.length ? this.#buffer.subarray(rest) : EMPTY;
    return text.slice(0, end.index);
  }

  /** Answers `request` in one write, keeping the connection if it asks to (and no shutdown has begun), or ending it. */
  #answer(request: Request): void {
    const open = keepAlive(request) && !this.#closing;
    this.#transport.write(generateResponse(request, open ? 'keep-alive' : 'close'));
    if (open) this.#startClock();
    else this.#finish();
  }

  /** Answers an HttpError with its page, and ends the connection. */
  #refuse(error: HttpError): void {
    this.log(`${error.status}: ${error.message}`);
    this.#transport.write(errorResponse(error));
    this.#finish();
  }

  /**
   * Ends the connection in stages, as 08's lingeringClose does (RFC 9112 §9.6): the sending side is shut
   * down once the responses are sent (`writeEof`), what the client still sends is read and dropped
   * until it closes its side (then `eofReceived` lets the transport close), for at most LINGER_SECONDS.
   */
  #finish(): void {
    this.#state = 'lingering';
    this.#buffer = EMPTY;
    this.#clock?.cancel();
    this.#transport.writeEof();
    this.#transport.resumeReading(); // paused for a client that did not read: it must be read to its end now
    this.site.loop.callLater(LINGER_SECONDS, () => this.#transport.close());
  }

  /**
   * The next request must be whole within the head timeout from now. A timer per request would cost an
   * allocation and a heap entry for each; here the deadline only moves, and the connection's one timer
   * looks at it when it fires (`#checkClock`).
   */
  #startClock(): void {
    this.#deadline = this.site.loop.time() + this.site.options.headTimeout;
    this.#clock ??= this.site.loop.callAt(this.#deadline, () => this.#checkClock());
  }

  /**
   * The timer fired: if the deadline has moved since it was set, it is set again for the new one; if it
   * has passed, the client is dropped without a word, as 08 drops it. While the client does not read
   * (writing paused), the clock stands still: `resumeWriting` starts it again.
   */
  #checkClock(): void {
    this.#clock = undefined;
    if (this.#state !== 'serving' || this.#writingPaused) return;
    if (this.site.loop.time() < this.#deadline) {
      this.#clock = this.site.loop.callAt(this.#deadline, () => this.#checkClock());
      return;
    }
    this.log(`dropped: no whole request within ${this.site.options.headTimeout} s`);
    this.#finish();
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
