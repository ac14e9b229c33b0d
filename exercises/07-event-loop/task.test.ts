import { describe, expect, test } from 'vitest';
import { ManualLoop } from '../../fixtures/harness/loop-testing.ts';
import { CancelledError, Future, type Coroutine } from './future.ts';
import { currentTask, Task } from './task.ts';

describe('07-event-loop: Task', () => {
  test("a task resolves with its coroutine's return value", () => {
    const loop = new ManualLoop();
    function* answer(): Coroutine<number> {
      return 42;
    }
    const task = new Task(answer(), loop);
    expect(task.done(), 'a new task does not run its coroutine at once: its first step is scheduled with callSoon').toBe(false);
    loop.runUntilIdle();
    expect(task.done(), 'after the loop ran its first step, the coroutine has returned').toBe(true);
    expect(task.result(), "the task's result is what the coroutine returned").toBe(42);
  });

  test("a task sends each awaited future's result back into the coroutine", () => {
    const loop = new ManualLoop();
    const first = new Future<string>(loop);
    const second = new Future<string>(loop);
    const seen: string[] = [];
    function* main(): Coroutine<string> {
      seen.push(yield* first);
      seen.push(yield* second);
      return seen.join('+');
    }
    const task = new Task(main(), loop);
    loop.runUntilIdle();
    expect(task.done(), 'the coroutine is parked on a pending future: the task waits, it does not spin').toBe(false);
    first.setResult('a');
    loop.runUntilIdle();
    expect(seen, "when the future it waits on is done, the task steps the coroutine with that future's result").toEqual(['a']);
    second.setResult('b');
    loop.runUntilIdle();
    expect(task.result()).toBe('a+b');
  });

  test('an awaited future that fails throws its error into the coroutine, where it waits', () => {
    const loop = new ManualLoop();
    const failing = new Future<string>(loop);
    function* main(): Coroutine<string> {
      try {
        yield* failing;
        return 'no error';
      } catch (error) {
        return `caught ${(error as Error).message}`;
      }
    }
    const task = new Task(main(), loop);
    loop.runUntilIdle();
    failing.setException(new Error('disk on fire'));
    loop.runUntilIdle();
    expect(task.result(), "the task must throw the future's error into the coroutine (coro.throw), so its try/catch sees it").toBe(
      'caught disk on fire',
    );
  });

  test("a task's error propagates to a task that waits on it", () => {
    const loop = new ManualLoop();
    function* inner(): Coroutine<number> {
      throw new Error('inner failed');
    }
    function* outer(): Coroutine<string> {
      const child = new Task(inner(), loop);
      yield* child; // a Task is a Future: waiting on it is waiting for its coroutine
      return 'unreachable';
    }
    const task = new Task(outer(), loop);
    loop.runUntilIdle();
    expect(task.done(), 'the outer task must finish once the inner one failed').toBe(true);
    expect(() => task.result(), "an error escaping a coroutine fails its task (setException), and reaches whoever waits on it").toThrow(
      'inner failed',
    );
  });

  test('cancel() throws CancelledError into the coroutine where it waits, and its finally runs', () => {
    const loop = new ManualLoop();
    const never = new Future<void>(loop);
    const log: string[] = [];
    function* main(): Coroutine<void> {
      try {
        log.push('waiting');
        yield* never;
        log.push('woke up normally');
      } catch (error) {
        log.push(`caught ${(error as Error).name}`);
        throw error;
      } finally {
        log.push('finally');
      }
    }
    const task = new Task(main(), loop);
    loop.runUntilIdle();
    expect(task.cancel(), 'cancel() on a pending task returns true').toBe(true);
    loop.runUntilIdle();
    expect(
      log,
      'cancelling a task must reach the coroutine: throw a CancelledError in at the yield where it waits (cancel the future it waits on), so its catch and finally run',
    ).toEqual(['waiting', 'caught CancelledError', 'finally']);
    expect(task.cancelled(), 'a task whose coroutine ended with CancelledError is cancelled').toBe(true);
    expect(() => task.result()).toThrow(CancelledError);
  });

  test('a coroutine that catches the cancellation can clean up and return', () => {
    const loop = new ManualLoop();
    const never = new Future<void>(loop);
    function* main(): Coroutine<string> {
      try {
        yield* never;
        return 'finished';
      } catch (error) {
        if (!(error instanceof CancelledError)) throw error;
        return 'cleaned up';
      }
    }
    const task = new Task(main(), loop);
    loop.runUntilIdle();
    task.cancel();
    loop.runUntilIdle();
    expect(task.result(), 'the task ends the way its coroutine ends: the coroutine decides what cancellation means to it').toBe('cleaned up');
  });

  test('a task cancelled before its first step, or by its own coroutine, is cancelled at its next step', () => {
    const loop = new ManualLoop();
    const log: string[] = [];
    function* body(): Coroutine<void> {
      log.push('the cancelled task ran');
    }
    const early = new Task(body(), loop);
    expect(early.cancel(), 'cancel() on a task that has not run yet returns true').toBe(true);
    loop.runUntilIdle();
    expect(log, 'a task cancelled before its first step has nothing to cancel yet: the CancelledError goes in at that step, so its coroutine never runs').toEqual([]);
    expect(early.cancelled(), 'and the task ends cancelled').toBe(true);

    const never = new Future<void>(loop);
    function* cancelsItself(): Coroutine<void> {
      currentTask().cancel();
      try {
        yield* never;
        log.push('woke up normally');
      } catch (error) {
        log.push(`caught ${(error as Error).name}`);
        throw error;
      }
    }
    const self = new Task(cancelsItself(), loop);
    loop.runUntilIdle();
    expect(
      log,
      'a task cancelled while its coroutine runs (it waits on nothing yet) must get the CancelledError at the yield where it next waits, not never',
    ).toEqual(['caught CancelledError']);
    expect(self.cancelled()).toBe(true);
  });

  test('yielding something that is not a Future fails with a clear TypeError', () => {
    const loop = new ManualLoop();
    function* main(): Coroutine<string> {
      try {
        yield 'not a future' as unknown as Future<unknown>;
        return 'accepted';
      } catch (error) {
        return (error as Error).name;
      }
    }
    const task = new Task(main(), loop);
    loop.runUntilIdle();
    expect(task.result(), 'a task can only wait on Futures: throw a TypeError into a coroutine that yields anything else').toBe('TypeError');
  });
});
