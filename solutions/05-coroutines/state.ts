/**
 * 05-coroutines — the state of a generator, which JavaScript keeps to itself.
 *
 * Builds on coroutine.ts: adds a look at the life of a generator. Python answers
 * `inspect.getgeneratorstate(gen)` with one of four states; JavaScript has no such call, but every
 * way into a generator goes through `next`, `throw` or `return`, so a wrapper around those three can
 * keep the state itself.
 *
 *   created ──next/throw/return──▶ running ──yield──▶ suspended ──next/throw/return──▶ running …
 *                                     └──return, or an error out of the body──▶ closed
 */

export type GeneratorState = 'created' | 'suspended' | 'running' | 'closed';

/** A generator that also tells its state. Use it exactly as the generator it wraps. */
export interface Tracked<Y, R, N> extends Generator<Y, R, N> {
  readonly state: GeneratorState;
}

/**
 * Wraps `gen` (not yet started) so that `.state` follows it through its life: `'created'` until it is
 * first resumed, `'running'` while its body runs (only the body itself can see that), `'suspended'`
 * while it is paused at a `yield`, `'closed'` once it has finished: returned, or left by an error.
 * Everything else is `gen`'s own: `next`, `throw` and `return` act on it and answer what it answers,
 * and the wrapper is iterable like it.
 */
export function tracked<Y, R, N>(gen: Generator<Y, R, N>): Tracked<Y, R, N> {
  let state: GeneratorState = 'created';

  /** Every way in: mark it running, resume it, and see where it stopped. */
  const resume = (how: () => IteratorResult<Y, R>): IteratorResult<Y, R> => {
    // A generator cannot resume itself: let it throw its own TypeError, and leave the state alone.
    if (state === 'running') return how();
    state = 'running';
    try {
      const result = how();
      state = result.done ? 'closed' : 'suspended';
      return result;
    } catch (error) {
      state = 'closed'; // an error that leaves the body ends the generator
      throw error;
    }
  };

  return {
    get state() {
      return state;
    },
    next: (...value: [] | [N]) => resume(() => gen.next(...value)),
    throw: (error: unknown) => resume(() => gen.throw(error)),
    return: (value: R) => resume(() => gen.return(value)),
    [Symbol.iterator]() {
      return this;
    },
  };
}
