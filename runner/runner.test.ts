import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify, stripVTControlCharacters as plain } from 'node:util';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../fixtures/harness/target.ts';
import { compareExercise } from './compare.ts';
import { findExercises, pickExercise, readReadme } from './exercises.ts';
import { resetExercise } from './reset.ts';
import { Session } from './session.ts';
import { exerciseStates, nextExercise, type Outcome, type TestRunner } from './states.ts';
import { listExercises } from './terminal.ts';
import { ANSWER_TEST, childEnv, commitAll, HINTS, makePack, README, SKELETON, SOLVED, writeFiles } from './testing.ts';

const run = promisify(execFile);

/** Three exercises: 01 solved, 02 and 10 not yet (10 sorts after 02: curriculum order is by number). */
function threeExercises(): string {
  return makePack({
    'exercises/01-first/value.ts': SOLVED,
    'exercises/01-first/value.test.ts': ANSWER_TEST,
    'exercises/02-second/README.md': README,
    'exercises/02-second/hints.md': HINTS,
    'exercises/02-second/value.ts': SKELETON,
    'exercises/02-second/value.test.ts': ANSWER_TEST,
    'solutions/02-second/value.ts': SOLVED,
    'exercises/10-tenth/value.ts': SKELETON,
    'exercises/10-tenth/value.test.ts': ANSWER_TEST,
    'exercises/notes/ignored.md': 'not an exercise folder',
  });
}

/** A stand-in for vitest: solved when value.ts says 42. Counts the exercises it was asked to run. */
function fakeRunner(asked: string[]): TestRunner {
  return async (root, exercises) => {
    asked.push(...exercises.map((e) => e.name));
    return new Map(
      exercises.map((e): [string, Outcome] => {
        const solved = readFileSync(join(e.dir, 'value.ts'), 'utf8').includes('42');
        return [e.name, { solved, passed: solved ? 1 : 0, failed: solved ? 0 : 1 }];
      }),
    );
  };
}

describe('runner: the exercises and their states', () => {
  test('exercises are found in curriculum order, with the files to edit apart from the tests', () => {
    const root = threeExercises();
    const exercises = findExercises(root);
    expect(exercises.map((e) => e.name)).toEqual(['01-first', '02-second', '10-tenth']);
    expect(exercises[1]!.files).toEqual(['exercises/02-second/value.ts']);
    expect(exercises[1]!.tests).toEqual([join(root, 'exercises/02-second/value.test.ts')]);
    expect(pickExercise(exercises, '2').name).toBe('02-second');
    expect(pickExercise(exercises, 'exercises/10-tenth/').name).toBe('10-tenth');
    expect(() => pickExercise(exercises, '07')).toThrow(/No exercise "07"\. The exercises are: 01-first, 02-second, 10-tenth/);
  });

  test('the exercises are checked in order up to the first one not solved; the listing shows each state; unchanged ones come from the cache', async () => {
    const root = threeExercises();
    process.env.KATA_CACHE_DIR = join(root, '.kata');
    try {
      const exercises = findExercises(root);
      const asked: string[] = [];
      const states = await exerciseStates(root, exercises, fakeRunner(asked));
      const next = nextExercise(exercises, states);
      expect(next?.name).toBe('02-second');
      expect(asked, 'one exercise at a time, up to the first that is not solved').toEqual(['01-first', '02-second']);
      expect(plain(listExercises(exercises, states, next)).split('\n')).toEqual([
        '  ✓ solved   01-first  1/1 tests pass',
        '  · not yet  02-second  0/1 tests pass  ← next',
        '  · not yet  10-tenth  not checked yet',
      ]);

      writeFiles(root, { 'exercises/02-second/value.ts': SOLVED });
      const again = await exerciseStates(root, exercises, fakeRunner(asked));
      expect(asked.slice(2), '01 comes from the cache; 02 changed, and once it passes, 10 is checked').toEqual(['02-second', '10-tenth']);
      expect(nextExercise(exercises, again)?.name).toBe('10-tenth');
    } finally {
      delete process.env.KATA_CACHE_DIR;
    }
  });

  test('hints come from hints.md, one at a time, in order, and the runner and `npm run hint` share which were shown', async () => {
    const root = threeExercises();
    const exercise = pickExercise(findExercises(root), '02');
    expect(readReadme(exercise).task).toBe('Set `answer` to 42.');
    const hint = async (...args: string[]) =>
      plain((await run(process.execPath, ['--import', 'tsx', join(ROOT, 'runner/hints.ts'), ...args], { cwd: ROOT, env: childEnv({ KATA_ROOT: root }) })).stdout);
    const first = await hint('02');
    expect(first).toContain('hint 1 of 3 · 02-second: Where is `answer`?\n\nIn value.ts.');
    expect(first, 'the first hint alone').not.toContain('Forty-two');
    expect(first).toContain('(2 more: `npm run hint -- 02` again when this one was not enough)');
    const session = new Session({ root, exercises: [exercise], poll: false });
    expect(plain(session.revealHint(exercise)), 'a fenced "## " is code, not a new hint').toBe(
      'hint 2 of 3 · 02-second: Which number?\n\nForty-two.\n\n```\n## not a heading: this is code\n```',
    );
    expect(await hint('second')).toContain('hint 3 of 3 · 02-second: The whole shape\n\n`export const answer = 42`');
    expect(plain(session.revealHint(exercise))).toMatch(/^Every hint of 02-second is shown \(3 of 3\)\. Press c to compare/);
    expect(await hint('02')).toContain('Every hint of 02-second is shown (3 of 3). `npm run compare -- 02` shows your file beside the reference solution.');
    expect(await hint('02', '--shown')).toMatch(/hint 1 of 3[\s\S]*hint 2 of 3[\s\S]*hint 3 of 3/);
    await hint('02', '--reset');
    expect(await hint('02')).toContain('hint 1 of 3');
  });

  test('compare shows the learner’s lines and the reference’s lines of each file', () => {
    const root = threeExercises();
    const text = plain(compareExercise(root, pickExercise(findExercises(root), '02')));
    expect(text).toContain('exercises/02-second/value.ts (yours: −)  beside  solutions/02-second/value.ts (reference: +)');
    expect(text).toContain('-export const answer: number = 0;');
    expect(text).toContain('+export const answer: number = 42;');
  });

  test('reset restores the files as committed and leaves files the learner added', () => {
    const root = threeExercises();
    commitAll(root);
    const exercise = pickExercise(findExercises(root), '02');
    writeFiles(root, { 'exercises/02-second/value.ts': 'my attempt', 'exercises/02-second/scratch.ts': 'mine' });
    expect(resetExercise(root, exercise)).toEqual(['exercises/02-second/README.md', 'exercises/02-second/hints.md', 'exercises/02-second/value.test.ts', 'exercises/02-second/value.ts']);
    expect(readFileSync(join(root, 'exercises/02-second/value.ts'), 'utf8')).toBe(SKELETON);
    expect(readFileSync(join(root, 'exercises/02-second/scratch.ts'), 'utf8')).toBe('mine');
  });

  test('reset outside a git clone says why it cannot', () => {
    const root = threeExercises();
    expect(() => resetExercise(root, pickExercise(findExercises(root), '02'))).toThrow(/not a git clone/);
  });
});

describe('runner: npm start where stdin is not a terminal', () => {
  test('prints every exercise with its state, found by running its tests, names the next one, and exits 0', async () => {
    const root = threeExercises();
    // stdin is /dev/null and stdout a pipe; execFile rejects on a non-zero exit, with the output in the message.
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'runner/start.ts')], {
      cwd: ROOT,
      env: childEnv({ KATA_ROOT: root }),
      timeout: 90_000,
    });
    expect(stdout).toContain('1/3 solved');
    expect(stdout).toContain('✓ solved   01-first  1/1 tests pass');
    expect(stdout).toContain('· not yet  02-second  0/1 tests pass  ← next');
    expect(stdout).toContain('· not yet  10-tenth  not checked yet');
    expect(stdout).toContain('Next: 02-second: read exercises/02-second/README.md, edit exercises/02-second/value.ts');
    expect(stdout).toContain('npm test -- exercises/02');
    expect(existsSync(join(root, '.kata/states.json')), 'the states are cached in .kata/').toBe(true);
  }, 120_000);
});
