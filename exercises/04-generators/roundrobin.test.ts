import { describe, expect, test, vi } from 'vitest';
import { roundRobin, type Task } from './roundrobin.ts';

/** The course's two generators: one spells a word, one counts. */
function* letters(word: string): Task<string> {
  for (const letter of word) yield letter;
}
function* numbers(count: number): Task<string> {
  for (let i = 0; i < count; i++) yield String(i);
}

/** The error the broken tasks below throw. */
const broke = () => new Error('broken task');

/** Runs the scheduler, and turns a broken task's error that escaped it into advice. */
function run<T>(...args: Parameters<typeof roundRobin<T>>): T[] {
  try {
    return roundRobin(...args);
  } catch (error) {
    if ((error as Error).message !== broke().message) throw error;
    throw new Error(
      "roundRobin() let a task's error escape, which stops every other task too: " +
        'wrap task.next() in try/catch, hand the error to onError, and go on with the rest of the queue',
    );
  }
}

describe('04-generators: round robin over generators', () => {
  test('two generators of lengths 2 and 5 take turns, in exactly round-robin order', () => {
    expect(
      roundRobin([letters('ab'), numbers(5)]),
      'each turn advances one task by one step (one next()), then the task goes to the back of the queue',
    ).toEqual(['a', '0', 'b', '1', '2', '3', '4']);
  });

  test('each task runs only up to its next yield: their code interleaves, not just their values', () => {
    const trace: string[] = [];
    function* worker(name: string): Task<string> {
      trace.push(`${name} starts`);
      yield name;
      trace.push(`${name} resumes`);
      yield name;
      trace.push(`${name} ends`);
    }
    roundRobin([worker('A'), worker('B')]);
    expect(trace, 'call next() once per turn: a task must not run past its yield until its turn comes again').toEqual([
      'A starts',
      'B starts',
      'A resumes',
      'B resumes',
      'A ends',
      'B ends',
    ]);
  });

  test('a finished generator drops out, and the others carry on', () => {
    expect(
      roundRobin([numbers(1), letters(''), letters('xyz'), numbers(2)]),
      'a task whose next() says done: true is finished: do not put it back in the queue',
    ).toEqual(['0', 'x', '0', 'y', '1', 'z']);
  });

  test('an empty scheduler returns at once, with nothing', () => {
    expect(roundRobin([]), 'with no tasks the loop has nothing to do: return an empty list').toEqual([]);
  });

  test('a task that throws is dropped and its error reported; the others go on', () => {
    function* broken(): Task<string> {
      yield 'before';
      throw broke();
    }
    const errors: unknown[] = [];
    const values = run([letters('abc'), broken(), numbers(3)], (error) => errors.push(error));
    expect(
      values,
      'catch what task.next() throws: that task is over, but the loop goes on with the others',
    ).toEqual(['a', 'before', '0', 'b', '1', 'c', '2']);
    expect(errors.map((e) => (e as Error).message), "hand each task's error to onError, once").toEqual(['broken task']);
  });

  test("by default a task's error is printed on stderr, and the others go on", () => {
    function* broken(): Task<string> {
      throw broke();
    }
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(run([broken(), letters('ok')])).toEqual(['o', 'k']);
      expect(printed, 'with no onError given, roundRobin reports with reportError (console.error)').toHaveBeenCalledOnce();
      expect(String(printed.mock.calls[0]?.[0])).toContain('broken task');
    } finally {
      printed.mockRestore();
    }
  });
});
