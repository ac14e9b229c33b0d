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
  type SelectorKey,
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

  callSoon(callback: () => void): Handle {
    // TODO: wrap the callback in a Handle, push it on this.#ready, and return the handle.
    void callback;
    throw new Error('TODO(07-event-loop): EventLoop.callSoon() should queue the callback for the next turn');
  }

  callLater(delaySeconds: number, callback: () => void): TimerHandle {
    return this.callAt(this.time() + delaySeconds, callback);
  }

  callAt(when: number, callback: () => void): TimerHandle {
    // TODO: a TimerHandle(when, this.#timerCount++, callback), pushed on the heap with
    // heapPush(this.#timers, timer, earlier); return it.
    void [when, callback, heapPush];
    throw new Error('TODO(07-event-loop): EventLoop.callAt() should put a timer on the heap');
  }

  /** Calls `callback` (on the loop) whenever `file` is readable, until `removeReader(file)`. */
  addReader(file: FileObj, callback: () => void): void {
    this.#watch(file, EVENT_READ).reader = new Handle(callback);
  }

  /** Stops calling the reader of `file`; false if there was none. */
  removeReader(file: FileObj): boolean {
    return this.#leave(file, 'reader');
  }

  /** Calls `callback` (on the loop) whenever `file` is writable, until `removeWriter(file)`. */
  addWriter(file: FileObj, callback: () => void): void {
    this.#watch(file, EVENT_WRITE).writer = new Handle(callback);
  }

  /** Stops calling the writer of `file`; false if there was none. */
  removeWriter(file: FileObj): boolean {
    return this.#leave(file, 'writer');
  }

  /**
   * One turn of the loop, and the only place where callbacks are run:
   *
   *   1. How long may we wait? 0 if a callback is ready (or the loop is stopping); until the
   *      nearest timer if there is one; otherwise as long as it takes (null): only I/O can wake us.
   *   2. Wait in the selector that long; queue the callbacks of the files that became ready.
   *   3. Queue the callbacks of the timers that are due.
   *   4. Run the callbacks that are queued now — and only those: what they schedule waits for the
   *      next turn, so a callback that keeps rescheduling itself cannot starve I/O and timers.
   *   5. Stop watching the files whose reader or writer left during the turn and did not come back.
   */
  runOnce(): void {
    // TODO: the five phases above.
    //  1. Drop cancelled timers from the top of the heap. timeout = 0 if this.#ready is not empty
    //     (or this.#stopping); else the time until this.#timers[0].when (never negative); else null.
    //  2. for (const [key, events] of this.#selector.select(timeout)): push key.data.reader if
    //     events & EVENT_READ, key.data.writer if events & EVENT_WRITE.
    //  3. Pop every timer whose `when` <= this.time() (heapPop(this.#timers, earlier)); push those
    //     not cancelled on the ready queue.
    //  4. Take the ready queue as it is now (swap in a new empty array) and run each handle.
    //     Catch and log an error from one callback, so it cannot stop the others.
    //  5. this.#unwatchLeftFiles().
    void [heapPop, EVENT_READ, EVENT_WRITE];
    throw new Error('TODO(07-event-loop): EventLoop.runOnce() should wait in the selector, collect due timers and run the ready callbacks');
  }

  /** Runs turns until `stop()` is called. */
  runForever(): void {
    // TODO: remember the running loop (runningLoop = this, and put back the outer one in a finally),
    // then runOnce() until this.#stopping; clear this.#stopping when you leave.
    throw new Error('TODO(07-event-loop): EventLoop.runForever() should run turns until stop() is called');
  }

  /** Runs `main` (a Future, or a coroutine it wraps in a Task) to its end; returns its result or throws its error. */
  runUntilComplete<T>(main: Future<T> | Coroutine<T>): T {
    // TODO: a coroutine becomes a Task (new Task(main, this)); a Future is used as it is. When it is
    // done, stop the loop (addDoneCallback). Run the loop, then return future.result().
    void [main, Task, Future];
    throw new Error('TODO(07-event-loop): EventLoop.runUntilComplete() should run the loop until the task is done, and return its result');
  }

  /** Ends `runForever` once the current turn is over. */
  stop(): void {
    this.#stopping = true;
  }

  close(): void {
    this.#selector.close();
  }

  /** The selector's key for `file`, if it is watched: a lookup in its map, no KeyError to catch. */
  #keyOf(file: FileObj): SelectorKey<FileObj, Waiters> | undefined {
    const map = this.#selector.getMap();
    const fd = typeof file === 'number' ? file : file.fileno();
    if (fd >= 0) return map.get(fd);
    for (const key of map.values()) if (key.fileobj === file) return key; // closed already: its fd is -1
    return undefined;
  }

  /** Makes sure the selector watches `file` for `event`, and returns its waiters to fill in. */
  #watch(file: FileObj, event: number): Waiters {
    // TODO: key = this.#keyOf(file).
    //  - A key whose fileobj is not `file` belongs to a socket closed this turn whose fd the new one
    //    reuses: unregister that old fileobj, and go on as if there were no key.
    //  - No key: register(file, event, { reader: undefined, writer: undefined }).
    //  - A key without `event` in key.events: modify(file, key.events | event, key.data).
    //  - A key that has it already: nothing to tell the selector.
    // Return the key's data (register and modify return the new key).
    void [file, event];
    throw new Error('TODO(07-event-loop): EventLoop.addReader()/addWriter() should register the socket with the selector, or add to its events');
  }

  /** The `role` of `file` has left; the selector hears of it at the end of the turn (step 5). */
  #leave(file: FileObj, role: keyof Waiters): boolean {
    // TODO: no key, or nobody in that role (this.#keyOf(file)?.data[role]) → false. Otherwise clear
    // the role, remember the file in this.#leftThisTurn, and return true. Do not touch the selector:
    // the same task may wait on this file again before the turn ends.
    void [file, role];
    throw new Error('TODO(07-event-loop): EventLoop.removeReader()/removeWriter() should take the waiter off the socket, and remember it for the end of the turn');
  }

  /** Tells the selector about every file whose reader or writer left this turn and did not come back. */
  #unwatchLeftFiles(): void {
    // TODO: for each file in this.#leftThisTurn: skip it if it has no key any more, or a key of
    // another fileobj. The events still wanted are READ if key.data.reader, WRITE if key.data.writer:
    // none → unregister(file); some, but not key.events → modify(file, events, key.data). Then clear the set.
    throw new Error('TODO(07-event-loop): EventLoop#unwatchLeftFiles() should unregister (or modify) the files nobody waits on any more');
  }
}

/** Timer order: the earlier deadline first; on a tie, the one scheduled first. */
function earlier(a: TimerHandle, b: TimerHandle): boolean {
  return a.when < b.when || (a.when === b.when && a.order < b.order);
}
