/**
 * When the runner moves on, without a terminal: `decide` is the rule `Session` follows once the tests
 * of the exercise on screen end (the discussion at the top of runner/session.ts).
 */
import { describe, expect, test } from 'vitest';
import { decide, type Decision } from './session.ts';

const failing = { solved: false };
const solved = { solved: true };

describe('runner: what a run of the tests on screen leads to', () => {
  test('a failing run shows its failures, whatever came before it', () => {
    for (const chosen of [false, true]) {
      for (const changed of [false, true]) {
        for (const unchecked of [false, true]) expect(decide(failing, { chosen, changed, unchecked })).toBe('show the failures');
      }
    }
  });

  test('a pass after a save of the learner solves the exercise: the debrief, then the next one', () => {
    expect(decide(solved, { chosen: false, changed: true, unchecked: false })).toBe('solved by a save');
    expect(decide(solved, { chosen: true, changed: true, unchecked: true })).toBe('solved by a save');
  });

  test('a pass without a save moves on only from an exercise the runner came to by itself, at its first check', () => {
    const cases: Array<[{ chosen: boolean; unchecked: boolean }, Decision]> = [
      [{ chosen: false, unchecked: true }, 'solved ahead'],
      [{ chosen: false, unchecked: false }, 'passes without a save'],
      [{ chosen: true, unchecked: true }, 'passes as chosen'],
      [{ chosen: true, unchecked: false }, 'passes as chosen'],
    ];
    for (const [shown, decision] of cases) expect(decide(solved, { ...shown, changed: false }), JSON.stringify(shown)).toBe(decision);
  });
});
