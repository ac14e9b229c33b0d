import { describe, expect, expectTypeOf, test } from 'vitest';
import { coroutine, listener } from './coroutine.ts';

describe('05-coroutines: a generator that receives values', () => {
  test('a coroutine receives the values sent to it, in order', () => {
    const heard: string[] = [];
    const gen = listener(heard);
    gen.next(); // by hand: run it to its first yield
    gen.next('one');
    gen.next('two');
    const { value } = gen.next('three');
    expect(heard, 'listener(heard) should push each value it receives from `yield` onto heard, in order').toEqual(['one', 'two', 'three']);
    expect(value, 'after three messages, listener should hand out (yield) how many it has heard: 3').toBe(3);
  });

  test('without priming, the first value sent is lost: JavaScript drops it silently', () => {
    const heard: string[] = [];
    const gen = listener(heard);
    gen.next('one'); // starts the body, which runs to its first yield: there was no yield to receive 'one'
    gen.next('two');
    expect(heard, "a generator that has not started has no paused yield to receive a value: next('one') only starts it").toEqual(['two']);
  });
});

describe('05-coroutines: coroutine() primes a generator', () => {
  test('a primed coroutine receives the first value sent', () => {
    const heard: string[] = [];
    const gen = coroutine(listener)(heard);
    gen.next('one');
    gen.next('two');
    expect(
      heard,
      "coroutine(listener)(heard) must advance the new generator once (next()) before returning it, so that it waits at its first yield and next('one') has somewhere to go",
    ).toEqual(['one', 'two']);
  });

  test('priming runs the body up to its first yield, and no further', () => {
    const log: string[] = [];
    function* steps(): Generator<string, void, string> {
      log.push('started');
      const first = yield 'ready';
      log.push(`received ${first}`);
    }
    const gen = coroutine(steps)();
    expect(log, 'coroutine() should call next() exactly once on the new generator: it stops at the first yield').toEqual(['started']);
    expect(gen.next('x')).toEqual({ value: undefined, done: true });
    expect(log).toEqual(['started', 'received x']);
  });

  test('the decorated function takes the same arguments and returns the generator itself', () => {
    function* greeter(greeting: string, times: number): Generator<string, number, string> {
      let count = 0;
      while (count < times) {
        const name = yield `${greeting}, …`;
        count += 1;
        if (name === 'stop') break;
      }
      return count;
    }
    const makeGreeter = coroutine(greeter);
    expectTypeOf(makeGreeter).toEqualTypeOf<(greeting: string, times: number) => Generator<string, number, string>>();
    const gen = makeGreeter('hello', 2);
    expect(Object.prototype.toString.call(gen), 'coroutine(fn)(…) should return the generator that fn made, primed').toBe('[object Generator]');
    expect(gen.next('ada')).toEqual({ value: 'hello, …', done: false });
    expect(
      gen.next('grace'),
      "coroutine(greeter)('hello', 2) should pass both arguments to greeter and prime the generator, so that the second name sent ends it with its return value, 2",
    ).toEqual({ value: 2, done: true });
  });
});
