import { describe, expect, test } from 'vitest';
import { tracked, type GeneratorState } from './state.ts';

describe('05-coroutines: the state of a generator', () => {
  test('the state moves through created, running, suspended and closed', () => {
    const seen: GeneratorState[] = [];
    function* body(): Generator<number, string, number> {
      seen.push(gen.state); // the body looks at its own wrapper while it runs
      const received = yield 1;
      seen.push(gen.state);
      return `received ${received}`;
    }
    const gen = tracked(body());
    seen.push(gen.state);
    expect(gen.next()).toEqual({ value: 1, done: false });
    seen.push(gen.state);
    expect(gen.next(2)).toEqual({ value: 'received 2', done: true });
    seen.push(gen.state);
    expect(seen, 'outside: created, then suspended at the yield, then closed after the return; inside: running each time').toEqual([
      'created',
      'running',
      'suspended',
      'running',
      'closed',
    ]);
  });

  test("inside its own body, the generator is 'running'", () => {
    let inside: GeneratorState | undefined;
    function* body(): Generator<void, void, void> {
      inside = gen.state;
      yield;
    }
    const gen = tracked(body());
    gen.next();
    expect(inside, "set the state to 'running' before resuming the generator, and only change it again once it stops").toBe('running');
  });

  test('values pass through: next(value), throw and return act on the wrapped generator', () => {
    function* echo(): Generator<string, string, string> {
      let last = 'start';
      try {
        for (;;) last = yield last;
      } catch {
        return `caught after ${last}`;
      }
    }
    const gen = tracked(echo());
    expect(gen.next('ignored')).toEqual({ value: 'start', done: false });
    expect(gen.next('a')).toEqual({ value: 'a', done: false });
    expect(gen.throw(new Error('stop'))).toEqual({ value: 'caught after a', done: true });
    expect(gen.state).toBe('closed');
    function* count(): Generator<number, void, void> {
      yield 1;
      yield 2;
    }
    expect([...tracked(count())], 'a tracked generator is iterable like the generator itself').toEqual([1, 2]);
  });

  test('an error out of the body closes it', () => {
    const gen = tracked(
      (function* () {
        yield 1;
        throw new Error('broken');
      })(),
    );
    gen.next();
    expect(() => gen.next()).toThrow('broken');
    expect(gen.state, 'a generator that an error escapes from is finished: closed').toBe('closed');
  });

  test("return() closes a generator only once it has finished: a finally that yields leaves it 'suspended'", () => {
    function* body(): Generator<string, string, string> {
      try {
        yield 'working';
        return 'done';
      } finally {
        yield 'cleaning up'; // return() runs this finally, which stops at its yield
      }
    }
    const gen = tracked(body());
    gen.next();
    expect(
      gen.return('stop'),
      "return(v) resumes the body as if its yield were `return v`: the finally runs, and a yield in it stops the generator again, done: false",
    ).toEqual({ value: 'cleaning up', done: false });
    expect(
      gen.state,
      "return() answered done: false: the generator is paused at the yield in its finally, 'suspended', not 'closed'. Whatever the call (next, throw or return), the state after it comes from what it answered",
    ).toBe('suspended');
    expect(gen.next(), 'resumed, the finally ends and the generator returns the value given to return()').toEqual({ value: 'stop', done: true });
    expect(gen.state).toBe('closed');
  });

  test('return() on a generator that never started closes it without running its body', () => {
    let ran = false;
    const gen = tracked(
      (function* () {
        ran = true;
        yield 1;
      })(),
    );
    expect(gen.state).toBe('created');
    expect(gen.return(undefined)).toEqual({ value: undefined, done: true });
    expect(gen.state).toBe('closed');
    expect(ran).toBe(false);
  });
});
