/**
 * 04-generators, part 2 — the echo server as generator tasks (after David Beazley, PyCon 2015,
 * "Concurrency from the Ground Up").
 *
 * Builds on 03 and on roundrobin.ts: adds waiting. Each connection is a task: a generator that reads
 * top to bottom like the blocking server of 01, except that before each call that could block it
 * yields what it is about to wait for — `['read', sock]` or `['write', sock]` — and stops there. The
 * scheduler parks it by that socket, and resumes it when `select()` says the socket is ready. No
 * callbacks: the code of one client stays in one function, and the scheduler decides who runs.
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
  try {
    for (;;) {
      yield ['read', client]; // resumed once the client has sent something, or is done sending
      const data = client.recv(4096);
      if (data.length === 0) return; // the client closed its side
      // send() takes what fits in the kernel's buffer now: wait for room before each try.
      for (let rest = data; rest.length > 0; ) {
        yield ['write', client];
        rest = rest.subarray(client.send(rest));
      }
    }
  } finally {
    client.close(); // on return, on an error, or when the task is closed from outside
  }
}

/**
 * Accepts clients forever, and starts a `handleClient` task for each through `spawn`. It yields
 * `['read', server]` before each accept. Every client socket it hands on is non-blocking, so no call
 * on it can stop the whole server. A connection that is gone by the time it is accepted (accept
 * finds nothing, or a `ConnectionError`) is not an error: it waits for the next one.
 */
export function* acceptClients(server: Socket, spawn: (task: Task) => void): Task {
  for (;;) {
    yield ['read', server]; // a connection waiting in the listen queue makes the server readable
    let client: Socket;
    try {
      [client] = server.accept();
    } catch (error) {
      // The client may have gone again between select() and accept(): nothing to accept then.
      if (error instanceof BlockingIOError || error instanceof ConnectionError) continue;
      throw error;
    }
    client.setBlocking(false);
    spawn(handleClient(client));
  }
}

/** Runs tasks: Beazley's `tasks`, `recv_wait` and `send_wait`, and the loop over them. */
export class Scheduler {
  /** Tasks that can run now, in the order they became ready. */
  readonly tasks: Task[] = [];
  /** Tasks waiting for their socket to be readable (data, a connection, or the peer leaving). */
  readonly toRead = new Map<Socket, Task>();
  /** Tasks waiting for their socket to be writable (room in its send buffer). */
  readonly toWrite = new Map<Socket, Task>();
  /** Where a task waits, by what it waits for: a new kind of `Wait` does not compile until it has a place. */
  readonly #waiting: Record<Wait[0], Map<Socket, Task>> = { read: this.toRead, write: this.toWrite };

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
    while (this.tasks.length > 0 || this.toRead.size > 0 || this.toWrite.size > 0) {
      if (this.tasks.length === 0) this.#waitForSockets();
      this.#step(this.tasks.shift()!);
    }
  }

  /**
   * Sleeps in select() until some waiting task's socket is ready, and makes those tasks ready.
   * Only called when no task can run: then nothing can happen except through a socket, so there is
   * no timeout, and an idle server sleeps in the kernel instead of turning the loop.
   */
  #waitForSockets(): void {
    const [readable, writable] = select([...this.toRead.keys()], [...this.toWrite.keys()], []);
    for (const sock of readable) this.#wake(this.toRead, sock);
    for (const sock of writable) this.#wake(this.toWrite, sock);
  }

  #wake(waiting: Map<Socket, Task>, sock: Socket): void {
    this.tasks.push(waiting.get(sock)!);
    waiting.delete(sock);
  }

  /**
   * Runs `task` up to its next yield, and parks it in `toRead` or `toWrite` under the socket it
   * waits for. A finished task is forgotten. An error out of a task ends that task only: it goes to
   * `onError`, and the scheduler goes on.
   */
  #step(task: Task): void {
    let step: IteratorResult<Wait, void>;
    try {
      step = task.next();
    } catch (error) {
      // The task is over (its finally blocks have run); the others go on.
      this.onError(error);
      return;
    }
    if (step.done) return;
    const [why, sock] = step.value;
    this.#waiting[why].set(sock, task);
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
