/**
 * 05-coroutines — generators that receive values.
 *
 * Complete `listener`, then `coroutine`, then run the tests:  npm test -- exercises/05
 * (average.ts and state.ts are the next two steps.)
 */

/**
 * Wraps a generator function so that every generator it makes comes back primed: already paused at
 * its first `yield`, ready for the first value sent. Arguments and types pass through unchanged.
 */
export function coroutine<A extends unknown[], Y, R, N>(
  fn: (...args: A) => Generator<Y, R, N>,
): (...args: A) => Generator<Y, R, N> {
  return (...args: A) => {
    throw new Error("TODO(05-coroutines): coroutine(fn)'s function must make fn's generator and hand it back primed: paused at its first yield");
  };
}

/**
 * A coroutine that writes down every message it is sent, in order, and each time hands out how many
 * it has heard so far. It never returns: it runs until it is closed.
 */
export function* listener(heard: string[]): Generator<number, never, string> {
  throw new Error('TODO(05-coroutines): listener(heard) must write down each message it is sent, in order, and hand out how many it has heard so far');
}
