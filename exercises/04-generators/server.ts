/**
 * 04-generators, part 2 — the echo server as generator tasks (after David Beazley, PyCon 2015).
 *
 * Complete `handleClient`, `acceptClients`, then the `Scheduler`'s loop, and run the tests:
 *   npm test -- 04-generators/server
 * Try it by hand:  npx tsx exercises/04-generators/server.ts   and, in two other terminals,  nc 127.0.0.1 5004
 */
import { BlockingIOError, ConnectionError, select, type Socket } from '../../fixtures/native/index.ts';
import { runServer } from '../../fixtures/program.ts';
import { reportError, type OnError } from './roundrobin.ts';

/** What a task waits for before its next step: to read from this socket, or to write to it. */
export type Wait = ['read', Socket] | ['write', Socket];

/** A task: a generator that yields a `Wait` before every call that could block. */
export type Task = Generator<Wait, void, void>;

/**
 * Echoes what `client` sends, every byte and in order, until the client is done sending (a recv that
 * gives an empty Buffer). It never calls something that could block without first yielding what it
 * waits for: `['read', client]` before each recv, `['write', client]` before each send. A send may
 * take only part of what it is given; what it did not take goes out after later write waits, nothing
 * lost, nothing reordered. However the task ends (the client is done sending, an error, or `return()`
 * from outside), the client's socket ends up closed.
 */
export function* handleClient(client: Socket): Task {
  throw new Error("TODO(04-generators): handleClient() must echo until the client is done sending, yielding ['read', client] before each recv and ['write', client] before each send, and close the client however it ends");
}

/**
 * Accepts clients forever, and starts a `handleClient` task for each through `spawn`. It yields
 * `['read', server]` before each accept. Every client socket it hands on is non-blocking, so no call
 * on it can stop the whole server. A connection that is gone by the time it is accepted (accept
 * finds nothing, or a `ConnectionError`) is not an error: it waits for the next one.
 */
export function* acceptClients(server: Socket, spawn: (task: Task) => void): Task {
  throw new Error("TODO(04-generators): acceptClients() must yield ['read', server], accept a client and spawn its handleClient task, forever");
}

/** Runs tasks: Beazley's `tasks`, `recv_wait` and `send_wait`, and the loop over them. */
export class Scheduler {
  /** Tasks that can run now, in the order they became ready. */
  readonly tasks: Task[] = [];
  /** Tasks waiting for their socket to be readable (data, a connection, or the peer leaving). */
  readonly toRead = new Map<Socket, Task>();
  /** Tasks waiting for their socket to be writable (room in its send buffer). */
  readonly toWrite = new Map<Socket, Task>();

  constructor(readonly onError: OnError = reportError) {}

  /** Adds a new task; it runs once the tasks ahead of it have had their turn. */
  spawn(task: Task): void {
    this.tasks.push(task);
  }

  /**
   * Runs until no task is left, ready or waiting. Ready tasks take their turns in order; the process
   * waits for sockets only when no task is ready.
   */
  run(): void {
    throw new Error('TODO(04-generators): Scheduler.run() must step ready tasks one by one until none is left, and wait for sockets only when none is ready');
  }

  /**
   * Sleeps in select() until some waiting task's socket is ready, and makes those tasks ready.
   * Only called when no task can run: then nothing can happen except through a socket, so there is
   * no timeout, and an idle server sleeps in the kernel instead of turning the loop.
   */
  #waitForSockets(): void {
    throw new Error('TODO(04-generators): #waitForSockets() must sleep in select() until a waiting socket is ready, and make its task ready');
  }

  /**
   * Runs `task` up to its next yield, and parks it in `toRead` or `toWrite` under the socket it
   * waits for. A finished task is forgotten. An error out of a task ends that task only: it goes to
   * `onError`, and the scheduler goes on.
   */
  #step(task: Task): void {
    throw new Error('TODO(04-generators): #step() must run a task to its next yield and park it by what it waits for');
  }
}

/** The server: one task accepting clients, one task per client, one scheduler running them all. */
export function serveForever(server: Socket): void {
  server.setBlocking(false);
  const scheduler = new Scheduler();
  scheduler.spawn(acceptClients(server, (task) => scheduler.spawn(task)));
  scheduler.run();
}

runServer(import.meta.url, 5004, serveForever);
