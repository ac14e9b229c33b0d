import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify, stripVTControlCharacters as plain } from 'node:util';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../fixtures/harness/target.ts';
import { compareExercise } from './compare.ts';
import { findExercises, pickExercise, readReadme, whereToEdit } from './exercises.ts';
import { resetExercise } from './reset.ts';
import { exerciseScreen } from './screen.ts';
import { Session } from './session.ts';
import { ensureShipped, isUntouched } from './shipped.ts';
import { cachedStates, exerciseStates, nextAfter, nextExercise, type Checked, type Failure, type Outcome, type RunResult, type TestRunner } from './states.ts';
import { listExercises } from './terminal.ts';
import { ANSWER_TEST, childEnv, commitAll, commitAsLearner, HINTS, makePack, README, SKELETON, SOLVED, writeFiles } from './testing.ts';

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
  return async (_root, exercises) => {
    asked.push(...exercises.map((e) => e.name));
    return new Map(
      exercises.map((e): [string, Outcome] => {
        const solved = readFileSync(join(e.dir, 'value.ts'), 'utf8').includes('42');
        return [e.name, { solved, passed: solved ? 1 : 0, failed: solved ? 0 : 1 }];
      }),
    );
  };
}

/** Runs `fn` with the runner's state in `root/.kata` (the default, said outright for the tests run in parallel). */
async function withCache<T>(root: string, fn: () => Promise<T> | T): Promise<T> {
  process.env.KATA_CACHE_DIR = join(root, '.kata');
  try {
    return await fn();
  } finally {
    delete process.env.KATA_CACHE_DIR;
  }
}

describe('runner: the exercises and their states', () => {
  test('exercises are found in curriculum order, with the files to edit apart from the tests', () => {
    const root = threeExercises();
    const exercises = findExercises(root);
    expect(exercises.map((e) => e.name)).toEqual(['01-first', '02-second', '10-tenth']);
    expect(exercises[1]!.toEdit).toEqual(['exercises/02-second/value.ts']);
    expect(exercises[1]!.tests).toEqual([join(root, 'exercises/02-second/value.test.ts')]);
    expect(pickExercise(exercises, '2').name).toBe('02-second');
    expect(pickExercise(exercises, 'second').name).toBe('02-second');
    expect(pickExercise(exercises, 'exercises/10-tenth/').name).toBe('10-tenth');
    expect(() => pickExercise(exercises, '07')).toThrow(/No exercise "07"\. The exercises are: 01-first, 02-second, 10-tenth/);
  });

  test('the files to edit come in the order the README’s task names them, without the given ones; the tests follow them', () => {
    const given = '/**\n * 04-multi — the clock (given: nothing to write here).\n */\nexport const now = 1;\n';
    const root = makePack({
      'exercises/04-multi/README.md':
        '# 04 · multi\n\nThe idea names `alpha.ts` first, but the task decides.\n\n## Your task\n\n`clock.ts` is given. 1. `zeta.ts` first,\n2. then `alpha.ts`.\n\n## Stuck?\n',
      'exercises/04-multi/alpha.ts': "export function a(): number {\n  throw new Error('TODO(04-multi): a() must…');\n}\n",
      'exercises/04-multi/zeta.ts': '// a line\n// TODO: the zeta\nexport const z = 0;\n',
      'exercises/04-multi/clock.ts': given,
      'exercises/04-multi/notes.ts': '/** 04-multi — given, says its header, but it is not the reference’s file: the learner edits it. */\nexport const n = 0;\n',
      'exercises/04-multi/alpha.test.ts': '',
      'exercises/04-multi/zeta.test.ts': '',
      'solutions/04-multi/clock.ts': given,
      'solutions/04-multi/notes.ts': 'export const n = 1;\n',
    });
    const [exercise] = findExercises(root);
    expect(exercise!.files, 'every source file, by name').toEqual(['alpha.ts', 'clock.ts', 'notes.ts', 'zeta.ts'].map((f) => `exercises/04-multi/${f}`));
    expect(exercise!.toEdit, 'the README’s order; clock.ts is given').toEqual(['zeta.ts', 'alpha.ts', 'notes.ts'].map((f) => `exercises/04-multi/${f}`));
    expect(exercise!.tests.map((t) => t.slice(t.lastIndexOf('/') + 1))).toEqual(['zeta.test.ts', 'alpha.test.ts']);
    expect(whereToEdit(root, 'exercises/04-multi/alpha.ts'), 'a TODO(…) throw').toBe('exercises/04-multi/alpha.ts:2');
    expect(whereToEdit(root, 'exercises/04-multi/zeta.ts'), 'a // TODO comment').toBe('exercises/04-multi/zeta.ts:2');
    expect(whereToEdit(root, 'exercises/04-multi/notes.ts'), 'nothing left to do').toBe('exercises/04-multi/notes.ts');
  });

  test('every exercise is checked in order: unchanged ones from the cache, untouched skeletons without a run, one solved out of order as solved', async () => {
    const root = threeExercises();
    await withCache(root, async () => {
      const exercises = findExercises(root);
      const asked: string[] = [];
      const seen: string[] = [];
      const onChecked = (e: { name: string }, _o: Outcome, checked: Checked) => seen.push(`${e.name} ${checked.how}`);
      let untouched = (e: { name: string }) => e.name === '10-tenth';
      const states = await exerciseStates(root, exercises, { runTests: fakeRunner(asked), untouched: (e) => untouched(e), onChecked });
      const next = nextExercise(exercises, states);
      expect(next?.name).toBe('02-second');
      expect(asked, 'one exercise at a time; the untouched skeleton is not run').toEqual(['01-first', '02-second']);
      expect(seen, 'each state as it is known, in order').toEqual(['01-first run', '02-second run', '10-tenth shipped']);
      expect(plain(listExercises(exercises, states, next)).split('\n')).toEqual([
        '  ✓ solved   01-first  1/1 tests pass',
        '  · not yet  02-second  0/1 tests pass  ← next',
        '  · not yet  10-tenth  not started (the skeleton as shipped)',
      ]);

      writeFiles(root, { 'exercises/10-tenth/value.ts': SOLVED });
      untouched = () => false;
      const again = await exerciseStates(root, exercises, { runTests: fakeRunner(asked), untouched: (e) => untouched(e) });
      expect(asked.slice(2), '01 and 02 come from the cache; 10 changed, and is checked though 02 is not solved').toEqual(['10-tenth']);
      expect(again.get('10-tenth')?.solved, 'solved out of order, and counted').toBe(true);
      expect(nextExercise(exercises, again)?.name).toBe('02-second');
      expect(nextAfter(exercises, again, exercises[1]!)?.name, 'after 02, round to the first unsolved: 02 itself').toBe('02-second');
      expect(cachedStates(root, exercises).get('10-tenth')?.solved, 'the cache knows it now').toBe(true);
    });
  });

  test('hints come from hints.md, one at a time, in order, and the runner and `npm run hint` share which were shown', async () => {
    const root = threeExercises();
    const exercise = pickExercise(findExercises(root), '02');
    expect(readReadme(exercise).task).toBe('Set `answer` to 42.');
    expect(readReadme(exercise).rebuilt).toBe('The answer, as Deep Thought computed it: `answer` in value.ts.');
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
});

describe('runner: reset puts back the skeleton as shipped', () => {
  test('after the learner committed their work, reset restores the skeleton, not the commit, and leaves files the learner added', async () => {
    const root = threeExercises();
    commitAll(root);
    await withCache(root, () => {
      const exercise = pickExercise(findExercises(root), '02');
      writeFiles(root, { 'exercises/02-second/value.ts': 'my attempt', 'exercises/02-second/scratch.ts': 'mine' });
      commitAsLearner(root, 'my attempt at 02');
      writeFiles(root, { 'exercises/02-second/value.ts': 'my attempt, further' });
      expect(resetExercise(root, exercise)).toEqual(['exercises/02-second/README.md', 'exercises/02-second/hints.md', 'exercises/02-second/value.test.ts', 'exercises/02-second/value.ts']);
      expect(readFileSync(join(root, 'exercises/02-second/value.ts'), 'utf8')).toBe(SKELETON);
      expect(readFileSync(join(root, 'exercises/02-second/scratch.ts'), 'utf8')).toBe('mine');
      expect(isUntouched(root, exercise), 'the shipped skeleton again: not started').toBe(true);

      // A newer pack, pulled: its skeleton is the shipped one from now on.
      writeFiles(root, { 'exercises/02-second/value.ts': `// a newer skeleton\n${SKELETON}` });
      execFileSync('git', ['-c', 'user.name=kata', '-c', 'user.email=kata@example.invalid', 'commit', '-qam', 'the pack, updated'], { cwd: root, stdio: 'ignore' });
      writeFiles(root, { 'exercises/02-second/value.ts': 'my attempt on the new one' });
      resetExercise(root, exercise);
      expect(readFileSync(join(root, 'exercises/02-second/value.ts'), 'utf8')).toBe(`// a newer skeleton\n${SKELETON}`);
    });
  });

  test('without git, reset takes the copy npm install kept; without that either, it says why it cannot', async () => {
    const root = threeExercises();
    await withCache(root, () => {
      const exercise = pickExercise(findExercises(root), '02');
      writeFiles(root, { 'exercises/02-second/value.ts': 'my attempt' });
      expect(() => resetExercise(root, exercise)).toThrow(/not a git clone, and no copy of the shipped files was kept/);
    });
    const other = threeExercises();
    await withCache(other, () => {
      ensureShipped(other, findExercises(other), 'npm install');
      const exercise = pickExercise(findExercises(other), '02');
      writeFiles(other, { 'exercises/02-second/value.ts': 'my attempt' });
      resetExercise(other, exercise);
      expect(readFileSync(join(other, 'exercises/02-second/value.ts'), 'utf8')).toBe(SKELETON);
    });
  });
});

describe('runner: the screen', () => {
  /** A run of `count` failing tests over two test files, with the harness's long, many-line messages. */
  function failingRun(count: number): RunResult {
    const failures: Failure[] = Array.from({ length: count }, (_, i) => ({
      file: i < count / 2 ? 'first.test.ts' : 'second.test.ts',
      name: `test number ${i + 1} of the exercise, whose name is long as the pack's test names are, to see it cut`,
      message: `TODO(02-second): value() must say ${i < 3 ? 'the same thing' : `thing ${i}`} to the learner\nThe server (exercises/02-second/server.ts) has exited (exit code 1)\nIts stderr:\n  | a line\n  | another\n  | a third`,
      at: 'exercises/02-second/value.ts:2:9',
    }));
    return {
      outcome: { solved: false, passed: 1, failed: count },
      failures,
      files: [
        { file: 'first.test.ts', passed: 1, failed: Math.ceil(count / 2) },
        { file: 'second.test.ts', passed: 0, failed: Math.floor(count / 2) },
      ],
      seconds: 1.2,
      report: 'vitest says…',
    };
  }

  test('the screen of a failing exercise fits in 40 rows: the files to edit, the task, every failing test by name, the first failure whole', () => {
    const root = threeExercises();
    const exercises = findExercises(root);
    const exercise = exercises[1]!;
    const size = { rows: 40, columns: 100 };
    for (const count of [1, 6, 20]) {
      const lines = exerciseScreen({ root, exercise, exercises, states: new Map(), result: failingRun(count) }, size).map(plain);
      const rows = lines.reduce((sum, line) => sum + Math.max(1, Math.ceil(line.length / size.columns)), 0);
      expect(rows, `${count} failures:\n${lines.join('\n')}`).toBeLessThan(size.rows);
      const text = lines.join('\n');
      expect(text).toContain('Edit exercises/02-second/value.ts:1');
      expect(text).toContain('Set `answer` to 42.');
      expect(text).toContain('read exercises/02-second/README.md');
      expect(text, 'the first failure whole, where it was thrown').toMatch(/× test number 1 of[^\n]*\n {6}TODO\(02-second\): value\(\) must say the same thing to the learner\n {6}The server[^\n]*\n[\s\S]*at exercises\/02-second\/value\.ts:2:9/);
      if (count >= 3) expect(text, 'the same message is said once').toContain('— the same');
      for (let i = 1; i <= count; i++) expect(text, `test ${i} of ${count}`).toContain(`test number ${i} of the exercise`);
    }
    const many = exerciseScreen({ root, exercise, exercises, states: new Map(), result: failingRun(80) }, size).map(plain);
    expect(many.length, 'eighty failures still fit').toBeLessThan(size.rows);
    expect(many.join('\n'), 'and say what is folded').toMatch(/… and \d+ more failing in first\.test\.ts: v shows every one\nsecond\.test\.ts — 40 of 40 fail: TODO/);
  });
});

describe('runner: npm start where stdin is not a terminal, and npm test', () => {
  test('npm start prints every exercise with its state, a line as each is known, names the next one, and exits 0', async () => {
    const root = threeExercises();
    // stdin is /dev/null and stdout a pipe; execFile rejects on a non-zero exit, with the output in the message.
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'runner/start.ts')], { cwd: ROOT, env: childEnv({ KATA_ROOT: root }), timeout: 90_000 });
    expect(stdout).toMatch(/✓ solved {3}01-first {2}1\/1 tests pass {2}\(checked now, [\d.]+ s\)/);
    expect(stdout).toMatch(/· not yet {2}02-second {2}0\/1 tests pass {2}← next {2}\(checked now/);
    expect(stdout, 'a copy without git or npm install: its skeletons are checked by running them').toMatch(/· not yet {2}10-tenth {2}0\/1 tests pass {2}\(checked now/);
    expect(stdout).toContain('1/3 solved');
    expect(stdout).toContain('Next: 02-second: read exercises/02-second/README.md, edit exercises/02-second/value.ts');
    expect(stdout).toContain('npm test -- exercises/02');
    expect(existsSync(join(root, '.kata/states.json')), 'the states are cached in .kata/').toBe(true);
  }, 120_000);

  test('npm start -- 02 prints that exercise: what to edit, its failing tests, and the next step', async () => {
    const root = threeExercises();
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'runner/start.ts'), 'second'], { cwd: ROOT, env: childEnv({ KATA_ROOT: root }), timeout: 90_000 });
    expect(stdout).toContain('02 · second — the second exercise');
    expect(stdout).toContain('Edit exercises/02-second/value.ts:1');
    expect(stdout).toContain('✗ 0/1 tests pass');
    expect(stdout).toMatch(/× the answer is 42\n {6}set answer to 42: expected \+0 to be 42/);
    expect(stdout).toContain('Next: 02-second: read exercises/02-second/README.md');
    expect(readFileSync(join(root, '.kata/last-run.txt'), 'utf8'), 'vitest’s own report').toContain('FAIL');
  }, 120_000);

  test('npm test records what it finds for npm start: a whole exercise, not a part of one', async () => {
    const root = threeExercises();
    writeFiles(root, { 'exercises/10-tenth/value.ts': SOLVED });
    const vitest = (...args: string[]) =>
      run(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'exercises', '--reporter=default', `--reporter=${join(ROOT, 'runner/record.ts')}`, ...args], {
        cwd: root,
        env: childEnv({}),
        timeout: 90_000,
      });
    await vitest('exercises/10', '-t', 'answer');
    const exercises = findExercises(root);
    await withCache(root, () => expect(cachedStates(root, exercises).get('10-tenth')?.unchecked, 'a run of chosen tests records nothing').toBe(true));
    await vitest('exercises/10');
    await withCache(root, () => {
      const states = cachedStates(root, exercises);
      expect(states.get('10-tenth')).toEqual({ solved: true, passed: 1, failed: 0 });
      expect(states.get('02-second')?.unchecked, 'not run: not recorded').toBe(true);
    });
  }, 120_000);
});
