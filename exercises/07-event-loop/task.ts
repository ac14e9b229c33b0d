/**
 * 07-event-loop — `Task`: a Future that drives a coroutine.
 *
 * Complete `#step`, `#wakeUp` and `cancel`, then run:  npm test -- exercises/07-event-loop/task
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
    throw new Error('TODO(07-event-loop): Task.cancel() must get a CancelledError thrown into the coroutine where it waits');
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
    throw new Error('TODO(07-event-loop): Task#step() must run the coroutine to its next yield and make it wait on the Future it yields');
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
    throw new Error("TODO(07-event-loop): Task#wakeUp() must step the coroutine with the future's result or error");
  }

  override toString(): string {
    return `<Task ${this.done() ? (this.cancelled() ? 'cancelled' : 'done') : 'pending'}>`;
  }
}
