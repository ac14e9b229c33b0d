import { describe, expect, test } from 'vitest';
import { ManualLoop } from '../../fixtures/harness/loop-testing.ts';
import { CancelledError, Future, InvalidStateError } from './future.ts';

describe('07-event-loop: Future', () => {
  test('a done callback runs once, on the loop, after the result is set', () => {
    const loop = new ManualLoop();
    const future = new Future<number>(loop);
    const calls: number[] = [];
    future.addDoneCallback((f) => calls.push(f.result()));
    expect(future.done(), 'a new Future is pending').toBe(false);
    future.setResult(42);
    expect(future.done()).toBe(true);
    expect(calls, 'setResult must not call the callbacks itself: it schedules them with loop.callSoon').toEqual([]);
    loop.runUntilIdle();
    expect(calls, 'each done callback runs exactly once, with the future').toEqual([42]);
  });

  test('a callback added after the future is done still runs, once', () => {
    const loop = new ManualLoop();
    const future = new Future<string>(loop);
    future.setResult('early');
    loop.runUntilIdle();
    const calls: string[] = [];
    future.addDoneCallback((f) => calls.push(f.result()));
    expect(calls, 'not from inside addDoneCallback: schedule it with loop.callSoon').toEqual([]);
    loop.runUntilIdle();
    expect(
      calls,
      'a future that resolved before anyone waited on it must still call a callback added later (the 500 Lines Future loses it)',
    ).toEqual(['early']);
  });

  test('result() before it is done raises InvalidStateError, and a second result raises too', () => {
    const loop = new ManualLoop();
    const future = new Future<number>(loop);
    expect(() => future.result(), 'asking a pending future for its result is a bug: raise InvalidStateError').toThrow(InvalidStateError);
    future.setResult(1);
    expect(() => future.setResult(2), 'a future is resolved once: setting it again raises InvalidStateError').toThrow(InvalidStateError);
    expect(future.result()).toBe(1);
  });

  test('a failed future throws its error from result()', () => {
    const loop = new ManualLoop();
    const future = new Future<number>(loop);
    const error = new Error('it failed');
    future.setException(error);
    expect(future.done(), 'a failed future is done').toBe(true);
    expect(() => future.result(), 'result() throws the error it was given').toThrow(error);
    expect(future.exception()).toBe(error);
  });

  test('cancel() ends a pending future with CancelledError and runs its callbacks; a done one is left alone', () => {
    const loop = new ManualLoop();
    const future = new Future<number>(loop);
    let called = 0;
    future.addDoneCallback(() => called++);
    expect(future.cancel(), 'cancel() on a pending future returns true').toBe(true);
    expect(future.cancelled()).toBe(true);
    expect(() => future.result(), 'the result of a cancelled future is a CancelledError').toThrow(CancelledError);
    loop.runUntilIdle();
    expect(called, 'cancelling finishes the future: its callbacks run').toBe(1);
    const done = new Future<number>(loop);
    done.setResult(7);
    expect(done.cancel(), 'cancel() on a finished future returns false and changes nothing').toBe(false);
    expect(done.result()).toBe(7);
  });

  test('yield* on a future yields it while pending, then gives its result', () => {
    const loop = new ManualLoop();
    const future = new Future<string>(loop);
    function* waiter() {
      return `got ${yield* future}`;
    }
    const coro = waiter();
    const first = coro.next();
    expect(first.done, 'a pending future yields, so that whoever drives the coroutine can wait').toBe(false);
    expect(first.value, 'a pending future yields itself, so the Task driving the coroutine knows what it waits on').toBe(future);
    future.setResult('it');
    expect(coro.next(), 'once done, `yield* future` is its result').toEqual({ done: true, value: 'got it' });
    const ready = new Future<number>(loop);
    ready.setResult(5);
    expect(
      (function* () {
        return yield* ready;
      })().next(),
      'a future that is already done does not yield at all',
    ).toEqual({ done: true, value: 5 });
  });
});
