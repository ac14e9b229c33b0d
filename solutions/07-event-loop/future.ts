/**
 * 07-event-loop — `Future`: a result that is not there yet.
 *
 * Builds on 06: adds the object a coroutine waits on. A Future is a box that is empty until someone
 * puts a result (or an error) in it, and a list of callbacks to run when that happens. It does no
 * waiting of its own: a Task (task.ts) parks a coroutine on it, and the loop (loop.ts) runs the
 * callbacks. It is JavaScript's `Promise` with the inside showing.
 */

/**
 * The loop as a Future sees it: all it needs is a way to run a callback soon, on the loop's next turn.
 * loop.ts's EventLoop is one; asyncio calls this side of it AbstractEventLoop.
 */
export interface Loop {
  callSoon(callback: () => void): unknown;
}

/**
 * A coroutine of this loop: a generator that yields the Futures it waits on and returns a `T`.
 * Whatever the Future resolves to is sent back in as the value of the `yield` (see `Future[Symbol.iterator]`).
 */
export type Coroutine<T> = Generator<Future<unknown>, T, unknown>;

/** Raised into a coroutine whose Task (or the Future it waits on) was cancelled. */
export class CancelledError extends Error {
  override name = 'CancelledError';
}

/** A result asked for too early, or set twice. */
export class InvalidStateError extends Error {
  override name = 'InvalidStateError';
}

type State<T> =
  | { is: 'pending' }
  | { is: 'done'; result: T }
  | { is: 'failed'; error: unknown }
  | { is: 'cancelled'; error: CancelledError };

export class Future<T> {
  readonly loop: Loop;
  #state: State<T> = { is: 'pending' };
  /** The done callbacks added while the future is pending: who wants to know when it finishes. */
  #callbacks: Array<() => void> = [];

  constructor(loop: Loop) {
    this.loop = loop;
  }

  done(): boolean {
    return this.#state.is !== 'pending';
  }

  cancelled(): boolean {
    return this.#state.is === 'cancelled';
  }

  /**
   * The outcome of a finished future: its result if it succeeded; if it failed, its error is thrown; if
   * it was cancelled, its CancelledError. A pending future has no outcome to give: asking for it is a
   * bug in the caller, and throws InvalidStateError.
   */
  result(): T {
    const state = this.#state;
    switch (state.is) {
      case 'done':
        return state.result;
      case 'failed':
      case 'cancelled':
        throw state.error;
      case 'pending':
        throw new InvalidStateError('Result is not ready: the future is still pending');
    }
  }

  /** The error it failed with (undefined if it succeeded); throws like `result()` if not done or cancelled. */
  exception(): unknown {
    const state = this.#state;
    if (state.is === 'failed') return state.error;
    if (state.is === 'done') return undefined;
    return this.result(); // throws
  }

  setResult(result: T): void {
    this.#settle({ is: 'done', result });
  }

  setException(error: unknown): void {
    this.#settle({ is: 'failed', error });
  }

  /** Cancels a pending future (its callbacks run) and returns true; a finished one is left alone: false. */
  cancel(message = 'cancelled'): boolean {
    if (this.done()) return false;
    this.#settle({ is: 'cancelled', error: new CancelledError(message) });
    return true;
  }

  /**
   * `callback(this)` runs on the loop, exactly once, after this future is done: as a callback of the
   * loop's (its `callSoon`), never from inside this method, nor from inside whatever settles the future.
   * A callback added after the future is done is scheduled at once: it is never lost.
   */
  addDoneCallback(callback: (future: Future<T>) => void): void {
    if (this.done()) this.loop.callSoon(() => callback(this));
    else this.#callbacks.push(() => callback(this));
  }

  /**
   * What `yield* future` does in a coroutine, as `await` does to a Promise: a pending future is
   * yielded — itself — to the Task that drives the coroutine, which resumes the coroutine once the
   * future is done. Then `yield* future` is the future's result, or throws its error. A future that is
   * done already is not yielded at all.
   */
  *[Symbol.iterator](): Coroutine<T> {
    if (!this.done()) yield this;
    return this.result();
  }

  /**
   * Where a future finishes, whichever way (`setResult`, `setException`, `cancel`): it takes `state`
   * for good, and every done callback added so far is scheduled on the loop. A future finishes once:
   * settling it again throws InvalidStateError and changes nothing.
   */
  #settle(state: State<T>): void {
    if (this.done()) throw new InvalidStateError(`Cannot ${describe(state)}: the future is already ${this.#state.is}`);
    this.#state = state;
    // Discussion: callbacks go through the loop rather than being called here, so whoever settles a
    // future never runs someone else's code in the middle of its own (asyncio does the same).
    const callbacks = this.#callbacks;
    this.#callbacks = [];
    for (const callback of callbacks) this.loop.callSoon(callback);
  }

  toString(): string {
    return `<Future ${this.#state.is}>`;
  }
}

function describe(state: State<unknown>): string {
  return state.is === 'done' ? 'set the result' : state.is === 'failed' ? 'set the exception' : 'cancel';
}
