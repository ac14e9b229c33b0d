/**
 * 05-coroutines — the running average: a coroutine with state, a way to stop it, and a result.
 *
 * Builds on coroutine.ts: adds `throw` (an error delivered *into* a paused generator, at its `yield`)
 * and `return` (a generator that ends hands back a value: the `{ value, done: true }` of its last step).
 */
import { coroutine } from './coroutine.ts';

/** Thrown into the average to ask it to stop and hand back the average so far. */
export class StopAverage extends Error {
  override name = 'StopAverage';
}

/**
 * A running average. Send it numbers; after each it hands out the average of all it has received.
 * Throw a `StopAverage` into it to end it: its last step is `{ value: average, done: true }`.
 * Until the first number there is no average: `undefined` (Python's `None`).
 */
export const average = coroutine(function* average(): Generator<number | undefined, number | undefined, number> {
  let sum = 0;
  let count = 0;
  let average: number | undefined;
  for (;;) {
    try {
      const value = yield average;
      sum += value;
      count += 1;
      average = sum / count; // from the exact sum each time, so no rounding piles up
    } catch (error) {
      if (error instanceof StopAverage) return average; // ends the generator: { value: average, done: true }
      throw error; // anything else is not ours to handle: it goes back to whoever threw it in
    }
  }
});
