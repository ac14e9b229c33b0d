import { describe, expect, test } from 'vitest';
import { delegate, delegateWithYieldStar } from './delegate.ts';

type Delegate = typeof delegate;

/** A sub-generator that records what reaches it: what it was sent, what was thrown in, how it ended. */
function recorder(log: string[], options: { catches?: boolean } = {}): Generator<string, string, string> {
  return (function* () {
    try {
      for (let i = 1; i <= 3; i++) {
        try {
          const sent = yield `asks ${i}`;
          log.push(`sub got ${sent}`);
        } catch (error) {
          if (!options.catches) throw error;
          log.push(`sub caught ${(error as Error).message}`);
        }
      }
      return 'sub result';
    } finally {
      log.push('sub finally');
    }
  })();
}

/** Starts a generator, then sends `values` one by one; returns what each step produced. */
function drive<Y, R, N>(gen: Generator<Y, R, N>, values: N[]): Array<IteratorResult<Y, R>> {
  const steps = [gen.next(undefined as N)];
  for (const value of values) steps.push(gen.next(value));
  return steps;
}

const ways: Array<[string, Delegate]> = [
  ['delegate (by hand)', delegate],
  ['yield*', delegateWithYieldStar],
];

describe.each(ways)('06-delegation: %s', (name, via) => {
  test('what the sub-generator yields reaches the caller, in order', () => {
    const steps = drive(via(recorder([])), ['a', 'b']);
    expect(steps.map((s) => s.value), `${name} must pass every value the sub-generator yields out to the caller`).toEqual([
      'asks 1',
      'asks 2',
      'asks 3',
    ]);
  });

  test('values sent to the delegator reach the sub-generator, in order', () => {
    const log: string[] = [];
    drive(via(recorder(log)), ['a', 'b', 'c']);
    expect(log, `${name}: next(v) on the delegator must become next(v) on the sub-generator`).toEqual([
      'sub got a',
      'sub got b',
      'sub got c',
      'sub finally',
    ]);
  });

  test("the delegator gets the sub-generator's return value", () => {
    function* outer(): Generator<string, string, string> {
      const result = yield* via(recorder([]));
      return `outer saw "${result}"`;
    }
    const last = drive(outer(), ['a', 'b', 'c']).at(-1)!;
    expect(last, `when the sub-generator returns, ${name} must return that same value (it is the value of the delegation)`).toEqual({
      done: true,
      value: 'outer saw "sub result"',
    });
  });

  test('an error thrown into the delegator is caught by the sub-generator when it handles it', () => {
    const log: string[] = [];
    const gen = via(recorder(log, { catches: true }));
    gen.next('');
    const after = gen.throw(new Error('boom'));
    expect(log, `throw(e) on the delegator must become throw(e) on the sub-generator, at its yield`).toEqual(['sub caught boom']);
    expect(after, 'after catching, the sub-generator goes on: its next value comes out of throw()').toEqual({ done: false, value: 'asks 2' });
  });

  test('an error the sub-generator does not handle propagates out of the delegator', () => {
    const log: string[] = [];
    const gen = via(recorder(log));
    gen.next('');
    expect(() => gen.throw(new Error('boom')), 'an error the sub-generator does not catch must come out of the delegator').toThrow('boom');
    expect(log, "the sub-generator's finally runs on the way out").toEqual(['sub finally']);
    expect(gen.next('again'), 'and the delegator is finished afterwards').toEqual({ done: true, value: undefined });
  });

  test("return() on the delegator closes the sub-generator: its finally runs", () => {
    const log: string[] = [];
    const gen = via(recorder(log));
    gen.next('');
    gen.next('a');
    gen.return('stopped');
    expect(log, `when the caller stops the delegator early, ${name} must close the sub-generator, so what it holds is released`).toEqual([
      'sub got a',
      'sub finally',
    ]);
  });
});

describe('06-delegation: by hand and yield*, side by side', () => {
  /** The language's own delegation, the yardstick for the hand-written one. */
  function* languageYieldStar<Y, R, N>(sub: Generator<Y, R, N>): Generator<Y, R, N> {
    return yield* sub;
  }

  /** Plays one script of next/throw/return against a delegation and writes down everything seen. */
  function play(via: Delegate, catches: boolean, script: Array<['next', string] | ['throw', string] | ['return', string]>): string[] {
    const log: string[] = [];
    const gen = via(recorder(log, { catches }));
    for (const [method, value] of script) {
      try {
        const step = method === 'next' ? gen.next(value) : method === 'throw' ? gen.throw(new Error(value)) : gen.return(value);
        log.push(`${method} → ${JSON.stringify(step)}`);
      } catch (error) {
        log.push(`${method} → threw ${(error as Error).message}`);
      }
    }
    return log;
  }

  test("the hand-written delegate behaves like yield* on every script, while the sub-generator's finally only cleans up", () => {
    const scripts: Array<Parameters<typeof play>[2]> = [
      [['next', ''], ['next', 'a'], ['next', 'b'], ['next', 'c'], ['next', 'd']],
      [['next', ''], ['throw', 'x'], ['next', 'b'], ['throw', 'y'], ['next', 'z']],
      [['next', ''], ['next', 'a'], ['return', 'early'], ['next', 'b']],
    ];
    for (const catches of [true, false]) {
      for (const script of scripts) {
        const what = `script ${JSON.stringify(script)} (the sub-generator ${catches ? 'catches' : 'does not catch'} errors)`;
        expect(play(delegate, catches, script), `delegate() and yield* saw different things on ${what}`).toEqual(
          play(languageYieldStar, catches, script),
        );
      }
    }
  });

  test("yield* hands return(v) on to the sub-generator: what its finally yields or returns is what the caller gets", () => {
    const log: string[] = [];
    function* slowToClose(): Generator<string, string, string> {
      try {
        yield 'working';
        return 'finished';
      } finally {
        const answer = yield 'closing'; // a finally that still has something to say
        log.push(`finally got ${answer}`);
      }
    }
    const gen = delegateWithYieldStar(slowToClose());
    gen.next('');
    expect(
      gen.return('stop'),
      "yield* calls return('stop') on the sub-generator, whose finally yields 'closing': the delegation goes on, and the caller gets that value with done: false. Write delegateWithYieldStar with yield* itself: a hand-written loop cannot do this",
    ).toEqual({ value: 'closing', done: false });
    expect(
      gen.next('ok'),
      "the next value sent goes to the sub-generator's finally; then the sub-generator ends, with the value given to return(), and that is the delegation's result",
    ).toEqual({ value: 'stop', done: true });
    expect(log).toEqual(['finally got ok']);

    function* overrules(): Generator<string, string, string> {
      try {
        yield 'working';
        return 'finished';
      } finally {
        return 'said by finally'; // overrules the return in progress
      }
    }
    const other = delegateWithYieldStar(overrules());
    other.next('');
    expect(
      other.return('stop'),
      "the sub-generator's finally returns 'said by finally': through yield*, that is what return('stop') on the delegator answers",
    ).toEqual({ value: 'said by finally', done: true });
  });
});
