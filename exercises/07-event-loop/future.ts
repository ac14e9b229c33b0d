/**
 * 07-event-loop — `Future`: a result that is not there yet.
 *
 * Complete `result`, `addDoneCallback`, `[Symbol.iterator]` and `#settle`, then run:
 *   npm test -- exercises/07-event-loop/future
 */

/** All a Future needs of the loop: a way to run a callback soon, on the loop's next turn. */
export interface Scheduler {
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
  readonly loop: Scheduler;
  #state: State<T> = { is: 'pending' };
  /** Who wants to know when this is done. Emptied once they are scheduled: each runs exactly once. */
  #callbacks: Array<() => void> = [];

  constructor(loop: Scheduler) {
    this.loop = loop;
  }

  done(): boolean {
    return this.#state.is !== 'pending';
  }

  cancelled(): boolean {
    return this.#state.is === 'cancelled';
  }

  /** The result; throws the error if it failed, CancelledError if cancelled, InvalidStateError if not done yet. */
  result(): T {
    // TODO: switch on this.#state.is: 'done' → return its result; 'failed' or 'cancelled' → throw its
    // error; 'pending' → throw new InvalidStateError('Result is not ready: …').
    throw new Error('TODO(07-event-loop): Future.result() should return the result, or throw the error, of a finished future');
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
   * Calls `callback(this)` on the loop once this is done. Added after it is done, the callback is
   * scheduled at once: it is never lost, and never called from inside `addDoneCallback` itself.
   */
  addDoneCallback(callback: (future: Future<T>) => void): void {
    // TODO: if this is done already, schedule it now: this.loop.callSoon(() => callback(this)).
    // Otherwise keep it in this.#callbacks (as `() => callback(this)`) for #settle to schedule.
    void callback;
    throw new Error('TODO(07-event-loop): Future.addDoneCallback() should keep the callback, or schedule it at once if the future is done');
  }

  /**
   * `yield* future` in a coroutine: if not done yet, yield this future to the Task driving the
   * coroutine (which resumes it when the future is done), then hand back the result — or throw the
   * error. This is what `await` does to a Promise.
   */
  *[Symbol.iterator](): Coroutine<T> {
    // TODO: two lines. If not done, `yield this`. Then return this.result().
    throw new Error('TODO(07-event-loop): `yield* future` should yield the future while it is pending, then return its result');
  }

  #settle(state: State<T>): void {
    // TODO: a future settles once: if it is done already, throw new InvalidStateError(...). Set
    // this.#state, then schedule every callback in this.#callbacks with this.loop.callSoon (do not
    // call them here), and empty the list so none can run twice.
    void state;
    throw new Error('TODO(07-event-loop): Future#settle() should store the outcome and schedule the done callbacks on the loop');
  }

  toString(): string {
    return `<Future ${this.#state.is}>`;
  }
}
