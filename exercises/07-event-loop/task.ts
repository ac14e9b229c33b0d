/**
 * 07-event-loop — `Task`: a Future that drives a coroutine.
 *
 * Complete `#step`, `#wakeUp` and `cancel`, then run:  npm test -- exercises/07-event-loop/task
 */
import { CancelledError, Future, type Coroutine, type Scheduler } from './future.ts';

/** What the next step sends into the coroutine: a value for `next`, or an error for `throw`. */
type Input = { value: unknown } | { error: unknown };

/** The task whose coroutine is running at this moment, if any. */
let running: Task<unknown> | undefined;

/** The task that runs the calling coroutine (asyncio's `current_task()`): a coroutine can hand it to a timer to cancel. */
export function currentTask(): Task<unknown> {
  if (!running) throw new Error('currentTask() was called outside of a task: call it from a coroutine the loop runs');
  return running;
}

export class Task<T> extends Future<T> {
  readonly #coro: Coroutine<T>;
  /** The Future the coroutine is parked on, if any: `cancel()` cancels it to wake the coroutine. */
  #waitingOn: Future<unknown> | undefined;
  /** Cancelled while not parked (before its first step, or while running): throw in at the next step. */
  #mustCancel = false;

  constructor(coro: Coroutine<T>, loop: Scheduler) {
    super(loop);
    this.#coro = coro;
    loop.callSoon(() => this.#step({ value: undefined }));
  }

  /**
   * Asks the coroutine to stop: a CancelledError is thrown into it where it waits, so its
   * `try/finally` blocks run. Returns false if the task is already done.
   */
  override cancel(message = 'cancelled'): boolean {
    // TODO: done already → false. Parked on a future → cancel that future (this.#waitingOn.cancel(message)):
    // when it is done, #wakeUp finds a CancelledError in it and throws it into the coroutine. Not
    // parked (its next step is already scheduled) → set this.#mustCancel, for #step to throw it in.
    // Do not mark the task itself cancelled here: it is done when its coroutine is.
    void message;
    throw new Error('TODO(07-event-loop): Task.cancel() should throw a CancelledError into the coroutine where it waits');
  }

  /** One step: run the coroutine up to its next `yield` (or its end). Only ever called by the loop. */
  #step(input: Input): void {
    // TODO: if this.done(), return. If this.#mustCancel, clear it and send a CancelledError instead.
    // Run the coroutine one step: this.#run(input) (given, below: next(value) or throw(error)).
    //  - it threw: a CancelledError cancels the task (super.cancel(...)); any other error → setException.
    //  - it returned (step.done): setResult(step.value).
    //  - it yielded a Future: park on it — remember it in #waitingOn, and
    //    future.addDoneCallback(() => this.#wakeUp(future)).
    //  - it yielded something else: schedule a step that throws a TypeError into it.
    void input;
    void CancelledError;
    throw new Error('TODO(07-event-loop): Task#step() should run the coroutine to its next yield and park it on the Future it yields');
  }

  /** Runs the coroutine up to its next `yield` (or its end), as the current task: see `currentTask()`. */
  #run(input: Input): IteratorResult<Future<unknown>, T> {
    const outer = running;
    running = this;
    try {
      return 'error' in input ? this.#coro.throw(input.error) : this.#coro.next(input.value);
    } finally {
      running = outer;
    }
  }

  /** The Future we waited on is done: step again with its result, or with its error. */
  #wakeUp(future: Future<unknown>): void {
    // TODO: this.#step({ value: future.result() }), or { error } if result() throws.
    void future;
    throw new Error("TODO(07-event-loop): Task#wakeUp() should step the coroutine with the future's result or error");
  }

  override toString(): string {
    return `<Task ${this.done() ? (this.cancelled() ? 'cancelled' : 'done') : 'pending'}>`;
  }
}
