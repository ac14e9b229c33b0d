/**
 * 09-cpu-bound — a pool of worker processes, watched by the loop like any socket. (Yours to write: the
 * Worker constructor, Worker.compute and WorkerPool.fib.)
 *
 * Builds on 07 (the loop, `sockSendall`, Futures) and lines.ts: adds a way to run CPU work without
 * stopping the loop. Each worker is a child process (worker.ts) whose stdin is one end of a socketpair
 * (a socket goes both ways: requests go in and answers come out through it); the server keeps the
 * other end, non-blocking. Asking a worker is writing a line to its socket; its answer is the socket
 * turning readable. So a task waiting for fib(40) waits in the loop
 * exactly as a task waiting for a slow client does, and every other task runs meanwhile. No thread,
 * no Node event loop: the kernel runs the workers on the other cores, and the loop hears when they are
 * done.
 *
 * A worker serves one request at a time. A task that finds none idle queues up (`#waiting`) and is
 * handed the next worker that comes free. A worker that dies (its socket reads end-of-file) fails the
 * request it had, and a new worker takes its place.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConnectionError, socketpair, type Socket } from '../../fixtures/native/index.ts';
import { say } from '../../fixtures/program.ts';
import { sockSendall } from '../07-event-loop/coroutines.ts';
import { Future, type Coroutine } from '../07-event-loop/future.ts';
import { getRunningLoop } from '../07-event-loop/loop.ts';
import { LineReader } from './lines.ts';

const WORKER_PROGRAM = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** The request a worker had when it died. The client that sent it gets an error line. */
export class WorkerCrashed extends Error {
  override name = 'WorkerCrashed';
}

/** A child process and the server's end of the socketpair it reads and writes. */
export class Worker {
  readonly process: ChildProcess;
  readonly channel: Socket;
  readonly lines: LineReader;

  /**
   * Starts a worker: a child process running worker.ts (`WORKER_PROGRAM`, with the same Node and the
   * same flags as this process, which is how it can run TypeScript) whose stdin is one end of a new
   * socketpair. The server keeps the other end as `channel`, for the loop to watch like any client's
   * socket, with `lines` reading the worker's answers from it. When the worker dies, `channel` must read
   * end-of-file. Prints `worker PID started` (the tests read the pids there).
   */
  constructor() {
    throw new Error('TODO(09-cpu-bound): the Worker constructor must start worker.ts on one end of a socketpair, and keep the other end for the loop');
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  /**
   * fib(n), computed by this worker: sends it `n` on a line and waits for its answer line, in the loop
   * (every other task runs meanwhile). Throws WorkerCrashed if the worker dies before it answers.
   */
  *compute(n: number): Coroutine<number> {
    throw new Error('TODO(09-cpu-bound): Worker.compute() must ask the worker for fib(n) and wait in the loop for its answer, or throw WorkerCrashed');
  }

  /** Ends the worker: its socket closes, and SIGKILL stops it even in the middle of a computation. */
  stop(): void {
    this.channel.close();
    this.process.kill('SIGKILL');
  }
}

export class WorkerPool {
  /** Workers with nothing to do. */
  readonly #idle: Worker[] = [];
  /** Tasks waiting for a worker, first come first served: each Future resolves with the worker it gets. */
  readonly #waiting: Future<Worker>[] = [];
  /** Every worker alive, idle or busy: `close` stops them all. */
  readonly #all = new Set<Worker>();
  #closed = false;

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) this.#release(this.#start());
  }

  /**
   * fib(n), computed by a worker while the loop goes on: an idle worker, or else the next one to come
   * free. Prints `worker PID: fib(n)` once a worker has the request (the tests wait for it). A worker that
   * answered serves the next request; one whose computation failed (it died) is never used again: a new
   * worker takes its place, and the caller gets the error.
   */
  *fib(n: number): Coroutine<number> {
    throw new Error('TODO(09-cpu-bound): WorkerPool.fib() must have fib(n) computed by a free worker, and replace a worker that died');
  }

  /** Stops every worker. Tasks still waiting for one are left waiting: the server is going away. */
  close(): void {
    this.#closed = true;
    for (const worker of this.#all) worker.stop();
    this.#all.clear();
  }

  #start(): Worker {
    const worker = new Worker();
    this.#all.add(worker);
    return worker;
  }

  /** An idle worker, or a place in the queue until one is released. */
  *#acquire(): Coroutine<Worker> {
    const idle = this.#idle.pop();
    if (idle) return idle;
    const turn = new Future<Worker>(getRunningLoop());
    this.#waiting.push(turn);
    return yield* turn;
  }

  /** Hands `worker` to the first task in the queue (one that has not given up), or makes it idle. */
  #release(worker: Worker): void {
    for (let turn = this.#waiting.shift(); turn; turn = this.#waiting.shift()) {
      if (!turn.done()) return turn.setResult(worker);
    }
    this.#idle.push(worker);
  }

  #replace(worker: Worker): void {
    worker.stop();
    this.#all.delete(worker);
    if (!this.#closed) this.#release(this.#start());
  }
}
