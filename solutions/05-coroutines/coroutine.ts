/**
 * 05-coroutines — generators that receive values.
 *
 * Builds on 04: adds the other direction. In 04 a task only handed values out (`yield ['read', sock]`)
 * and was resumed with nothing. Here `next(value)` hands a value *in*: it becomes the value of the
 * `yield` expression the generator is paused at. That is Python's `gen.send(value)`.
 *
 * A generator paused at no `yield` yet (just created) has nowhere to put a value, so the value given
 * to its first `next()` is dropped — silently in JavaScript (Python refuses with a TypeError).
 * `coroutine` fixes that once for all: it runs a new generator to its first `yield` ("primes" it)
 * before anyone can send to it.
 */

/**
 * Wraps a generator function so that every generator it makes comes back primed: already paused at
 * its first `yield`, ready for the first value sent. Arguments and types pass through unchanged.
 */
export function coroutine<A extends unknown[], Y, R, N>(
  fn: (...args: A) => Generator<Y, R, N>,
): (...args: A) => Generator<Y, R, N> {
  return (...args: A) => {
    const gen = fn(...args);
    gen.next(); // runs the body up to its first yield; what that yield hands out is thrown away
    return gen;
  };
}

/**
 * A coroutine that writes down every message it is sent, in order, and each time hands out how many
 * it has heard so far. It never returns: it runs until it is closed.
 */
export function* listener(heard: string[]): Generator<number, never, string> {
  for (;;) {
    const message = yield heard.length; // pauses here; next('hello') resumes it with message = 'hello'
    heard.push(message);
  }
}
