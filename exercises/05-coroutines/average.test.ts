import { describe, expect, test } from 'vitest';
import { average, StopAverage } from './average.ts';

describe('05-coroutines: the running average', () => {
  test('the average is exact after each value: 5, 10, 15 give 5, 7.5, 10', () => {
    const avg = average();
    const got = [5, 10, 15].map((value) => avg.next(value).value);
    expect(got, 'average() is primed: each next(value) should hand back the average of every value so far').toEqual([5, 7.5, 10]);
  });

  test('the course numbers: 5, 4, 10 give 5, 4.5, 6.33…', () => {
    const avg = average();
    expect(avg.next(5).value).toBe(5);
    expect(avg.next(4).value).toBe(4.5);
    expect(avg.next(10).value).toBeCloseTo(19 / 3, 12);
  });

  test('throwing StopAverage in ends it and hands back the average: { value, done: true }', () => {
    const avg = average();
    avg.next(5);
    avg.next(10);
    expect(
      avg.throw(new StopAverage()),
      'catch StopAverage around the yield and `return average`: the last step of a generator carries its return value with done: true (Python puts it in StopIteration.value)',
    ).toEqual({ value: 7.5, done: true });
    expect(avg.next(20), 'once returned, the generator is finished for good').toEqual({ value: undefined, done: true });
  });

  test('stopped before any value, it hands back undefined: there is no average yet', () => {
    const avg = average();
    expect(avg.throw(new StopAverage())).toEqual({ value: undefined, done: true });
  });

  test('an unexpected error thrown in comes back out to the caller and closes the coroutine', () => {
    const avg = average();
    avg.next(5);
    const oops = new RangeError('not a number I can average');
    expect(() => avg.throw(oops), 'only StopAverage is handled inside: rethrow any other error').toThrow(oops);
    expect(avg.next(10), 'an error that leaves the body ends the generator').toEqual({ value: undefined, done: true });
  });

  test('gen.return(value) closes it at once, with { value, done: true }', () => {
    const avg = average();
    avg.next(5);
    // return() resumes the generator as if its yield were `return value`: finally blocks run, catch blocks do not.
    expect(avg.return(42)).toEqual({ value: 42, done: true });
    expect(avg.next(10)).toEqual({ value: undefined, done: true });
  });

  test('each average keeps its own sum and count', () => {
    const first = average();
    const second = average();
    first.next(10);
    second.next(1);
    expect(first.next(20).value, 'keep sum and count in local variables of the generator, not outside it').toBe(15);
    expect(second.next(3).value).toBe(2);
  });
});
