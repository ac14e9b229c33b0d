/**
 * 07-event-loop — `EventLoop`: a ready queue, a timer heap, and a selector.
 *
 * Complete the methods that throw TODO, `runOnce` above all, then run:
 *   npm test -- exercises/07-event-loop/loop
 *
 *   ready      callbacks to run on the next turn (`callSoon`), first in, first out
 *   timers     callbacks due at a time (`callLater`, `callAt`), in a heap ordered by deadline
 *   selector   callbacks waiting for a file to become readable or writable (`addReader`, `addWriter`)
 *
 * A file stays registered with the selector between two waits of the same turn. A task that reads,
 * replies and waits to read again, all in one step, costs the kernel nothing: no `epoll_ctl` to stop
 * watching its socket and another to watch it again. Files nobody waits on any more are unwatched at
 * the end of the turn (curio's kernel defers its unregistering the same way).
 */
import {
  DefaultSelector,
  EVENT_READ,
  EVENT_WRITE,
  type BaseSelector,
  type FileObj,
} from '../../fixtures/native/index.ts';
import { heapPop, heapPush } from '../../fixtures/heapq.ts';
import { Future, type Coroutine } from './future.ts';
import { Task } from './task.ts';

/** A scheduled callback. Cancelling it keeps it from running (it stays queued, and is skipped). */
export class Handle {
  #callback: (() => void) | undefined;

  constructor(callback: () => void) {
    this.#callback = callback;
  }

  cancel(): void {
    this.#callback = undefined;
  }

  get cancelled(): boolean {
    return this.#callback === undefined;
  }

  run(): void {
    this.#callback?.();
  }
}

/** A callback due at `when` (loop time, in seconds). `order` breaks ties: first scheduled, first run. */
export class TimerHandle extends Handle {
  constructor(
    readonly when: number,
    readonly order: number,
    callback: () => void,
  ) {
    super(callback);
  }
}

/** What the loop keeps in `key.data` for each watched file: who waits to read it, who to write. */
interface Waiters {
  reader: Handle | undefined;
  writer: Handle | undefined;
}

export interface EventLoopOptions {
  /** Where the loop waits for files. Default: the best selector of this platform. */
  selector?: BaseSelector<FileObj, Waiters>;
  /** The loop's clock, in seconds. Inject another one to test timers without waiting. */
  clock?: () => number;
}

let runningLoop: EventLoop | undefined;

/** The loop running now (inside `runForever`/`runUntilComplete`); coroutines find their loop here. */
export function getRunningLoop(): EventLoop {
  if (!runningLoop) throw new Error('No event loop is running: start one with loop.runUntilComplete(main())');
  return runningLoop;
}

export class EventLoop {
  /** Callbacks to run on the next turn, in the order they were scheduled. */
  #ready: Handle[] = [];
  /** Callbacks due later: a binary heap, the earliest deadline (then the earliest scheduled) on top. */
  #timers: TimerHandle[] = [];
  /** Counts timers as they are scheduled, so that equal deadlines run in scheduling order. */
  #timerCount = 0;
  /** The sockets someone waits on, each key holding its reader and writer callbacks. */
  readonly #selector: BaseSelector<FileObj, Waiters>;
  /** Where `time()` comes from: the real monotonic clock, or a test's virtual one. */
  readonly #clock: () => number;
  /** Files whose reader or writer left during this turn: at its end, the selector stops watching for them. */
  #leftThisTurn = new Set<FileObj>();
  /** Set by `stop()`: `runForever` returns at the end of the current turn. */
  #stopping = false;

  constructor(options: EventLoopOptions = {}) {
    this.#selector = options.selector ?? new DefaultSelector<FileObj, Waiters>();
    this.#clock = options.clock ?? (() => performance.now() / 1000);
  }

  /** The loop's idea of now, in seconds. Timers are scheduled on this clock. */
  time(): number {
    return this.#clock();
  }

  /**
   * `callback` runs on the loop's next turn, after the callbacks queued before it, and not before:
   * never from inside `callSoon`. Returns its handle: cancelled before its turn, it does not run.
   */
  callSoon(callback: () => void): Handle {
    throw new Error('TODO(07-event-loop): EventLoop.callSoon() must queue the callback for the next turn');
  }

  /** `callback` runs `delaySeconds` from now, on the loop's clock: see `callAt`. */
  callLater(delaySeconds: number, callback: () => void): TimerHandle {
    return this.callAt(this.time() + delaySeconds, callback);
  }

  /**
   * `callback` runs in the first turn that finds the loop's clock (`time()`) at `when` or later.
   * Timers run in deadline order; timers with the same deadline, in the order they were scheduled.
   * Returns its handle: a timer cancelled before it is due does not run.
   */
  callAt(when: number, callback: () => void): TimerHandle {
    throw new Error('TODO(07-event-loop): EventLoop.callAt() must schedule the callback for its deadline, among the other timers');
  }

  /** Calls `callback` (on the loop) whenever `file` is readable, until `removeReader(file)`. */
  addReader(file: FileObj, callback: () => void): void {
    this.#watch(file, EVENT_READ).reader = new Handle(callback);
  }

  /** Stops calling the reader of `file`; false if there was none. */
  removeReader(file: FileObj): boolean {
    return this.#removeWaiter(file, 'reader');
  }

  /** Calls `callback` (on the loop) whenever `file` is writable, until `removeWriter(file)`. */
  addWriter(file: FileObj, callback: () => void): void {
    this.#watch(file, EVENT_WRITE).writer = new Handle(callback);
  }

  /** Stops calling the writer of `file`; false if there was none. */
  removeWriter(file: FileObj): boolean {
    return this.#removeWaiter(file, 'writer');
  }

  /**
   * One turn of the loop, and the only place where callbacks run. It runs the callbacks that are ready
   * by the time it has waited: those queued already, the readers and writers of the sockets that
   * became ready, and the timers that are due. What they schedule runs next turn, so a callback that
   * keeps rescheduling itself cannot starve sockets and timers. It waits in the selector as long as it
   * may, and no longer: not at all while a callback is ready (or the loop is stopping), at most until
   * the earliest timer is due, and for as long as it takes when only a socket can wake it. A
   * callback that throws is reported (console.error) and the turn goes on. When the turn is over, the
   * selector stops watching the sockets nobody waits on any more.
   */
  runOnce(): void {
    throw new Error('TODO(07-event-loop): EventLoop.runOnce() must wait in the selector, then run what is ready and what is due');
  }

  /**
   * Runs turns until `stop()` is called; the turn in which it is called is finished first. Meanwhile
   * this is the loop `getRunningLoop()` returns, where coroutines find it. Stopped, the loop can be run
   * again.
   */
  runForever(): void {
    throw new Error('TODO(07-event-loop): EventLoop.runForever() must run turns until stop() is called');
  }

  /**
   * Runs the loop until `main` is done — a Future, or a coroutine that it runs as a Task — and no
   * longer; returns its result, or throws its error. A loop stopped (`stop()`) while `main` still runs
   * has no result to give: it throws an Error saying the loop stopped before main was done, as asyncio does.
   */
  runUntilComplete<T>(main: Future<T> | Coroutine<T>): T {
    throw new Error('TODO(07-event-loop): EventLoop.runUntilComplete() must run the loop until main is done, and return its result');
  }

  /** Ends `runForever` once the current turn is over. */
  stop(): void {
    this.#stopping = true;
  }

  close(): void {
    this.#selector.close();
  }

  /**
   * What `addReader` and `addWriter` stand on: the selector watches `file` for `event`, as well as for
   * what it watched it for already (one key per file: its reader and its writer share it), and the
   * key's waiters come back for the caller to fill in. The selector hears only of a change: a file
   * still watched for `event` (a task waiting on it again in the turn it stopped) costs no system call.
   * A key found under `file`'s fd may belong to another socket: one closed this turn, whose fd the
   * kernel has handed on to `file`. That key is stale, not `file`'s.
   */
  #watch(file: FileObj, event: number): Waiters {
    throw new Error('TODO(07-event-loop): EventLoop#watch() must have the selector watch the file for the event, and give back its waiters');
  }

  /**
   * What `removeReader` and `removeWriter` stand on: the `role` waiter of `file` leaves at once, and its
   * callback never runs again, even if its socket is ready in this very turn; true, or false if `file`
   * had no such waiter. The selector is not told now (the same task often waits on the file again in
   * this turn): the file is remembered for the end of the turn.
   */
  #removeWaiter(file: FileObj, role: keyof Waiters): boolean {
    throw new Error('TODO(07-event-loop): EventLoop#removeWaiter() must take the waiter off the file for good, and remember the file for the end of the turn');
  }

  /**
   * At the end of a turn: each file whose reader or writer left during it, and did not come back, stops
   * being watched for what nobody waits on any more (it is unregistered if nobody waits on it at all).
   * A file whose key is gone, or whose fd a new socket has taken, is left alone.
   */
  #unwatchLeftFiles(): void {
    throw new Error('TODO(07-event-loop): EventLoop#unwatchLeftFiles() must unregister (or modify) the files nobody waits on any more');
  }
}

/** Timer order: the earlier deadline first; on a tie, the one scheduled first. */
function earlier(a: TimerHandle, b: TimerHandle): boolean {
  return a.when < b.when || (a.when === b.when && a.order < b.order);
}
