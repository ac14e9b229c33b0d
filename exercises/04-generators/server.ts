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

/** Echoes what `client` sends until it leaves. Every recv and send comes after a yield. */
export function* handleClient(client: Socket): Task {
  // TODO: the loop of 01's handleClient, with a yield before each call that could block:
  //   yield ['read', client]; then recv(4096); an empty Buffer means the client left: return.
  //   To send `data`: until every byte is gone, yield ['write', client], then
  //   rest = rest.subarray(client.send(rest))   (send takes only what fits in the kernel's buffer).
  // Wrap it all in try/finally and close the client in the finally.
  void client;
  throw new Error("TODO(04-generators): handleClient() should yield ['read', client] before each recv and ['write', client] before each send, and echo until the client leaves");
}

/** Accepts clients forever, and hands each one a task of its own. */
export function* acceptClients(server: Socket, spawn: (task: Task) => void): Task {
  // TODO: loop forever: yield ['read', server]; then server.accept() (if the client went away in the
  // meantime it throws BlockingIOError or a ConnectionError: just wait again); make the client
  // non-blocking (client.setBlocking(false)); spawn(handleClient(client)).
  void server;
  void spawn;
  void BlockingIOError;
  void ConnectionError;
  throw new Error("TODO(04-generators): acceptClients() should yield ['read', server], accept a client, and spawn(handleClient(client)), forever");
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

  /** Runs until no task is left, ready or waiting. */
  run(): void {
    // TODO: while any task is ready or waiting: if none is ready, #waitForSockets(); then take the
    // first ready task (this.tasks.shift()) and #step it.
    throw new Error('TODO(04-generators): Scheduler.run() should step ready tasks one by one, and wait for sockets only when none is ready');
  }

  /**
   * Sleeps in select() until some waiting task's socket is ready, and makes those tasks ready.
   * Only called when no task can run: then nothing can happen except through a socket, so there is
   * no timeout, and an idle server sleeps in the kernel instead of turning the loop.
   */
  #waitForSockets(): void {
    // TODO: select([...this.toRead.keys()], [...this.toWrite.keys()], []) with no timeout; move the
    // task of each ready socket from toRead / toWrite to the back of this.tasks.
    void select;
    throw new Error('TODO(04-generators): #waitForSockets() should select() on the waiting sockets and make their tasks ready');
  }

  /** Runs `task` up to its next yield, and parks it by what it waits for. */
  #step(task: Task): void {
    // TODO: task.next() in try/catch: an error ends that task only: this.onError(error). If the step
    // is done, the task is finished. Otherwise step.value is [why, sock]: put the task in toRead or
    // toWrite under sock (a switch on why, or a Record<Wait[0], Map<Socket, Task>>).
    void task;
    throw new Error('TODO(04-generators): #step() should run a task to its next yield and park it in toRead or toWrite');
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
