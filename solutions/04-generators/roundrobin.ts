/**
 * 04-generators, part 1 — round robin over generators.
 *
 * Builds on 03: adds a scheduler that decides who runs. A generator stops at each `yield` and goes
 * on only when someone calls `next()`: so a loop that holds many generators can run a step of one,
 * then a step of the next, and they take turns — concurrency without threads and without callbacks.
 * Part 2 (server.ts) does the same with tasks that stop where they would block.
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
  const ready = [...tasks]; // the queue: front = next to run
  const yielded: T[] = [];
  while (ready.length > 0) {
    const task = ready.shift()!;
    let step: IteratorResult<T, void>;
    try {
      step = task.next(); // runs the task until its next yield, and no further
    } catch (error) {
      onError(error); // one broken task must not stop the others
      continue;
    }
    if (step.done) continue; // finished: it drops out of the queue
    yielded.push(step.value);
    ready.push(task); // its turn is over: back of the queue
  }
  return yielded;
}
