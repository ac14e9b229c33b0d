/**
 * 07-event-loop — `EventLoop`: a ready queue, a timer heap, and a selector.
 *
 * Builds on 03 (callbacks kept in `key.data` of a selector) and on future.ts/task.ts: adds the loop
 * that runs them all. Everything that happens in this program is a callback the loop runs: a Task's
 * next step, a Future's done callback, a timer, "this socket is readable". The loop keeps three
 * kinds of pending callbacks, and `runOnce` moves them along:
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
    const handle = new Handle(callback);
    this.#ready.push(handle);
    return handle;
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
    const timer = new TimerHandle(when, this.#timerCount++, callback);
    heapPush(this.#timers, timer, earlier);
    return timer;
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
    while (this.#timers[0]?.cancelled) heapPop(this.#timers, earlier); // forget cancelled timers on top

    let timeout: number | null = null;
    if (this.#ready.length > 0 || this.#stopping) timeout = 0;
    else if (this.#timers[0]) timeout = Math.max(0, this.#timers[0].when - this.time());

    for (const [key, events] of this.#selector.select(timeout)) {
      const { reader, writer } = key.data;
      if (events & EVENT_READ && reader) this.#ready.push(reader);
      if (events & EVENT_WRITE && writer) this.#ready.push(writer);
    }

    const now = this.time();
    while (this.#timers[0] && this.#timers[0].when <= now) {
      const timer = heapPop(this.#timers, earlier)!;
      if (!timer.cancelled) this.#ready.push(timer);
    }

    const turn = this.#ready;
    this.#ready = [];
    for (const handle of turn) {
      try {
        handle.run();
      } catch (error) {
        // A callback's bug must not take down every other task on the loop (asyncio logs it too).
        console.error('Exception in a callback run by the event loop:', error);
      }
    }

    this.#unwatchLeftFiles();
  }

  /**
   * Runs turns until `stop()` is called; the turn in which it is called is finished first. Meanwhile
   * this is the loop `getRunningLoop()` returns, where coroutines find it. Stopped, the loop can be run
   * again.
   */
  runForever(): void {
    const outer = runningLoop;
    runningLoop = this;
    try {
      while (!this.#stopping) this.runOnce();
    } finally {
      this.#stopping = false;
      runningLoop = outer;
    }
  }

  /**
   * Runs the loop until `main` is done — a Future, or a coroutine that it runs as a Task — and no
   * longer; returns its result, or throws its error. A loop stopped (`stop()`) while `main` still runs
   * has no result to give: it throws an Error saying the loop stopped before main was done, as asyncio does.
   */
  runUntilComplete<T>(main: Future<T> | Coroutine<T>): T {
    const future = main instanceof Future ? main : new Task(main, this);
    future.addDoneCallback(() => this.stop());
    this.runForever();
    if (!future.done()) throw new Error('The event loop stopped before main was done: something called loop.stop() while it ran');
    return future.result();
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
    let key = this.#selector.findKey(file);
    if (key && key.fileobj !== file) {
      // The key of a socket closed this turn before it was unwatched, whose fd the new one reuses.
      this.#selector.unregister(key.fileobj);
      key = undefined;
    }
    if (!key) key = this.#selector.register(file, event, { reader: undefined, writer: undefined });
    else if (!(key.events & event)) key = this.#selector.modify(file, key.events | event, key.data);
    return key.data;
  }

  /**
   * What `removeReader` and `removeWriter` stand on: the `role` waiter of `file` leaves at once, and its
   * callback never runs again, even if its socket is ready in this very turn; true, or false if `file`
   * had no such waiter. The selector is not told now (the same task often waits on the file again in
   * this turn): the file is remembered for the end of the turn.
   */
  #removeWaiter(file: FileObj, role: keyof Waiters): boolean {
    const waiters = this.#selector.findKey(file)?.data;
    const handle = waiters?.[role];
    if (!waiters || !handle) return false;
    handle.cancel(); // its socket may be ready in this very turn, its callback queued already: it must not run
    waiters[role] = undefined;
    this.#leftThisTurn.add(file);
    return true;
  }

  /**
   * At the end of a turn: each file whose reader or writer left during it, and did not come back, stops
   * being watched for what nobody waits on any more (it is unregistered if nobody waits on it at all).
   * A file whose key is gone, or whose fd a new socket has taken, is left alone.
   */
  #unwatchLeftFiles(): void {
    for (const file of this.#leftThisTurn) {
      const key = this.#selector.findKey(file);
      if (!key || key.fileobj !== file) continue; // unwatched already
      const { reader, writer } = key.data;
      const events = (reader ? EVENT_READ : 0) | (writer ? EVENT_WRITE : 0);
      if (events === 0) this.#selector.unregister(file);
      else if (events !== key.events) this.#selector.modify(file, events, key.data);
    }
    this.#leftThisTurn.clear();
  }
}

/** Timer order: the earlier deadline first; on a tie, the one scheduled first. */
function earlier(a: TimerHandle, b: TimerHandle): boolean {
  return a.when < b.when || (a.when === b.when && a.order < b.order);
}
