/**
 * 07-event-loop — `Task`: a Future that drives a coroutine.
 *
 * Builds on future.ts: adds the thing that runs a coroutine. A Task steps its coroutine on the loop
 * until it yields a Future, parks it there, and steps it again when that Future is done — sending
 * the result in, or throwing the error in at the very `yield` where it waits. When the coroutine
 * returns, the Task (being a Future itself) resolves with its return value, so other coroutines can
 * wait on it. This is what the JavaScript engine does for the body of an `async` function.
 */
import { CancelledError, Future, type Coroutine, type Loop } from './future.ts';

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
  /** The Future the coroutine waits on (it yielded it), if it waits on one now. */
  #waitingOn: Future<unknown> | undefined;
  /** Cancelled while not parked (before its first step, or while running): throw in at the next step. */
  #mustCancel = false;

  constructor(coro: Coroutine<T>, loop: Loop) {
    super(loop);
    this.#coro = coro;
    loop.callSoon(() => this.#step({ value: undefined }));
  }

  /**
   * Asks the coroutine to stop, asyncio's way: a CancelledError is thrown into it at the `yield` where
   * it waits, so its `catch` and `finally` blocks run, and the task ends as its coroutine does:
   * cancelled if the error comes out of it, with a result if the coroutine catches it and returns. A
   * task that waits on nothing yet (it has not started, or it cancels itself while it runs) gets the
   * CancelledError at its next step. Returns true; false if the task is done already (nothing changes).
   */
  override cancel(message = 'cancelled'): boolean {
    // Discussion: the task is not marked cancelled here. The coroutine may still be cleaning up (its
    // `finally` may even wait on something), and the task is done only when the coroutine is.
    if (this.done()) return false;
    if (this.#waitingOn?.cancel(message)) return true; // its callback wakes us: result() throws CancelledError
    this.#mustCancel = true;
    return true;
  }

  /**
   * One step of the coroutine, and only the loop runs one: `input` goes in (a value as the result of
   * its `yield`, or an error thrown there) and the coroutine runs to its next `yield`, or to its end.
   * What it returns resolves the task; an error that comes out of it fails the task, a CancelledError
   * cancels it. A Future it yields is what it waits on: the task steps it again once that future is
   * done, and not before. Anything else yielded is a bug in the coroutine: a TypeError saying so is
   * thrown into it.
   */
  #step(input: Input): void {
    if (this.done()) return;
    if (this.#mustCancel) {
      this.#mustCancel = false;
      input = { error: new CancelledError('cancelled') };
    }
    this.#waitingOn = undefined;
    let step: IteratorResult<Future<unknown>, T>;
    try {
      step = this.#run(input);
    } catch (error) {
      if (error instanceof CancelledError) super.cancel(error.message);
      else this.setException(error);
      return;
    }
    if (step.done) {
      this.setResult(step.value);
      return;
    }
    const future = step.value;
    if (!(future instanceof Future)) {
      const error = new TypeError(`A coroutine yielded ${String(future)}: yield Futures only (write \`yield* future\`, or \`yield* someCoroutine()\`)`);
      this.loop.callSoon(() => this.#step({ error }));
      return;
    }
    this.#waitingOn = future;
    future.addDoneCallback(() => this.#wakeUp(future));
    if (this.#mustCancel && future.cancel()) this.#mustCancel = false; // cancelled while it was running
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

  /**
   * Runs on the loop when the future the coroutine waits on is done: the coroutine takes its next step
   * with that future's outcome, its result as the value of the `yield`, or its error (a CancelledError
   * too) thrown there.
   */
  #wakeUp(future: Future<unknown>): void {
    let input: Input;
    try {
      input = { value: future.result() };
    } catch (error) {
      input = { error };
    }
    this.#step(input);
  }

  override toString(): string {
    return `<Task ${this.done() ? (this.cancelled() ? 'cancelled' : 'done') : 'pending'}>`;
  }
}
