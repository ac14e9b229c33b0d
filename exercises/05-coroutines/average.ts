/**
 * 05-coroutines — the running average: a coroutine with state, a way to stop it, and a result.
 *
 * Complete the body of `average` (coroutine.ts first: `average` is made with it).
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
  throw new Error('TODO(05-coroutines): average() must hand out the running average after each value it is sent, and return it when a StopAverage is thrown in');
});
