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
 * Runs `tasks` in turns until every one is done: take the task at the front of the queue, advance it
 * one step, and put it at the back, unless it has finished. Returns the values they yielded, in the
 * order they yielded them. A task that throws is dropped and its error handed to `onError`; the
 * others go on.
 */
export function roundRobin<T>(tasks: Iterable<Task<T>>, onError: OnError = reportError): T[] {
  // TODO: const ready = [...tasks] is the queue. While it is not empty: take the first task
  // (ready.shift()), call task.next() once; if it threw, hand the error to onError and go on; if the
  // step is done, the task is finished; otherwise keep step.value and push the task to the back.
  void tasks;
  void onError;
  throw new Error('TODO(04-generators): roundRobin() should advance each task one step in turn, until all are done, and return what they yielded');
}
