/**
 * 04-generators, part 1 — round robin over generators.
 *
 * Complete `roundRobin`, then run its tests:  npm test -- 04-generators/roundrobin
 * Part 2 is server.ts.
 */

/** A task: a generator run one step at a time, handing out a value at each step. */
export type Task<T> = Generator<T, void, void>;

/** What the scheduler does with an error that escapes a task. */
export type OnError = (error: unknown) => void;

/** The default: say so on stderr, and let the other tasks go on. */
export function reportError(error: unknown): void {
  console.error(`a task failed and was dropped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}

/**
 * Runs `tasks` in turns until every one is done, and returns the values they yielded, in the order
 * they yielded them. A turn advances one task by exactly one step: its code runs up to its next
 * `yield` and no further, then every other task has its turn before it runs again. A task that has
 * finished drops out. A task that throws is dropped and its error handed to `onError`, once; the
 * others go on.
 */
export function roundRobin<T>(tasks: Iterable<Task<T>>, onError: OnError = reportError): T[] {
  throw new Error('TODO(04-generators): roundRobin() must advance each task one step in turn, until all are done, and return what they yielded');
}
