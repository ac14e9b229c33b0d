/**
 * 08-async-web — the web app of 00, served by your event loop of 07 to many clients at once. (Yours to
 * write: WebServer.shutdown.)
 *
 * Builds on 00 and 07, and on connection.ts here: adds the accept loop and a graceful shutdown. One
 * task accepts clients, one task per connection serves them (`session`), and all of them share one
 * thread: while a client takes its time, its task waits in the loop and the others run.
 *
 * On SIGTERM (or Ctrl-C) the server shuts down gracefully, as a load balancer expects of it: it stops
 * accepting (the listening socket is closed, so new connections are refused), closes the connections
 * that sit idle between requests, lets the ones in the middle of a request get their response (with
 * `Connection: close`), and exits with status 0 once the last one is done.
 */
import { flag, seconds, type OptionValues } from '../../fixtures/command-line.ts';
import type { Socket } from '../../fixtures/native/index.ts';
import { runServer, say } from '../../fixtures/program.ts';
import { createTask, gather, sockAccept } from '../07-event-loop/coroutines.ts';
import { CancelledError, type Coroutine } from '../07-event-loop/future.ts';
import { EventLoop } from '../07-event-loop/loop.ts';
import type { Task } from '../07-event-loop/task.ts';
import { Conn, handleConnection, session, type ConnOptions, type Handler } from './connection.ts';
import { runUntilSignalled } from './signals.ts';

/** How long a client may take to send a request, by default: `--head-timeout SECONDS` changes it. */
export const HEAD_TIMEOUT_SECONDS = 10;

/** The command line of this server, beside `--port`: `--head-timeout SECONDS`, and `--quiet` for no log line per connection. */
export const OPTIONS = { 'head-timeout': seconds(HEAD_TIMEOUT_SECONDS), quiet: flag() };

export class WebServer {
  /** Every open connection, and the task serving it: a shutdown looks through them. */
  readonly #connections = new Map<Conn, Task<void>>();
  /** The task accepting clients; cancelled by `shutdown`. */
  #accepting: Task<void> | undefined;

  constructor(
    readonly listener: Socket,
    readonly options: ConnOptions,
    /** What each connection's task does. */
    readonly handle: Handler = handleConnection,
  ) {}

  /** Accepts clients until `shutdown()`, then waits until every connection still open is done. */
  *serve(): Coroutine<void> {
    this.#accepting = createTask(this.#acceptForever());
    try {
      yield* this.#accepting;
    } catch (error) {
      if (!(error instanceof CancelledError)) throw error; // cancelled is how accepting ends
    }
    yield* gather(...this.#connections.values());
    say('shut down: every response sent');
  }

  /**
   * Begins a graceful shutdown (SIGTERM, Ctrl-C): prints a line that starts with `shutting down` (the
   * tests wait for it) and stops accepting, so that the listening socket closes and new connections are
   * refused. The connections waiting idle for a request end at once, without a word; each busy one
   * answers the request in hand with `Connection: close`, then ends. `serve` returns once the last one
   * is done, and the process exits.
   */
  shutdown(): void {
    throw new Error('TODO(08-async-web): shutdown() must stop accepting, close the idle connections and let the busy ones finish with Connection: close');
  }

  *#acceptForever(): Coroutine<void> {
    this.listener.setBlocking(false);
    try {
      for (;;) {
        const [sock, [host, port]] = yield* sockAccept(this.listener);
        const conn = new Conn(sock, `${host}:${port}`, this.options.quiet);
        const task = createTask(session(conn, this.options, this.handle));
        this.#connections.set(conn, task);
        task.addDoneCallback(() => this.#connections.delete(conn));
      }
    } finally {
      this.listener.close();
    }
  }
}

export function serveForever(listener: Socket, options: OptionValues<typeof OPTIONS>, handle: Handler = handleConnection): void {
  const server = new WebServer(listener, { headTimeout: options['head-timeout'], quiet: options.quiet }, handle);
  runUntilSignalled(new EventLoop(), server.serve(), () => server.shutdown());
}

runServer(import.meta.url, 5008, serveForever, OPTIONS);
