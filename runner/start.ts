/**
 * `npm start`: the learner's home.
 *
 * In a terminal it is the interactive runner (runner/session.ts): progress, the current exercise,
 * watch and rerun, hints. Anywhere else (CI, a pipe, an editor's task) it prints every exercise with
 * its state, a line as each is known, and the next one to work on, once, and exits 0.
 *
 *   npm start              the runner, on the first exercise not solved
 *   npm start -- 04        the runner on 04 (also `04-generators`, `generators`); elsewhere, 04's state and next step
 *   npm start -- --poll    the same, polling the files (for WSL2, VMs and network drives that miss saves)
 */
import { flag, isMain, parseCommandLine } from '../fixtures/command-line.ts';
import { AN_EXERCISE, packRoot, runCommand } from './cli.ts';
import { findExercises, pickExercise, type Exercise } from './exercises.ts';
import { exerciseScreen } from './screen.ts';
import { Session } from './session.ts';
import { untouchedTest } from './shipped.ts';
import { cachedStates, exerciseStates, hashExercise, nextAfter, nextExercise, remember, TestSession, type Outcome } from './states.ts';
import { nextStep, paint, progressBar, stateLine } from './terminal.ts';

/** The non-interactive form: every exercise's state, a line as each is known, then the next step. */
export async function printList(root: string): Promise<void> {
  const exercises = findExercises(root);
  const live = !!process.stdout.isTTY;
  console.log('Checking your exercises in order: unchanged ones from the cache in .kata/, untouched skeletons without a run, the others by running their tests…');
  let next: Exercise | undefined;
  const states = await exerciseStates(root, exercises, {
    untouched: untouchedTest(root, exercises),
    onRunning: (exercise) => {
      if (live) process.stdout.write(paint('gray', `  … running the tests of ${exercise.name}`));
    },
    onChecked: (exercise, outcome, checked) => {
      const marker = !outcome.solved && !next ? '← next' : '';
      if (!outcome.solved) next ??= exercise;
      const when = checked.how === 'run' ? paint('gray', `  (checked now, ${checked.seconds.toFixed(1)} s)`) : '';
      if (live && checked.how === 'run') process.stdout.write('\r\x1b[K');
      console.log(`${stateLine(exercise, outcome, marker)}${when}`);
    },
  });
  const solved = exercises.filter((e) => states.get(e.name)?.solved).length;
  console.log(`\n${paint('bold', 'async-ground-up')}  ${progressBar(solved, exercises.length)}\n`);
  console.log(nextStep(nextExercise(exercises, states)));
}

/** The non-interactive `npm start -- 04`: that exercise's screen, its tests run, and what to do next. */
export async function printExercise(root: string, exercise: Exercise): Promise<void> {
  const exercises = findExercises(root);
  const untouched = untouchedTest(root, exercises);
  const states: Map<string, Outcome> = cachedStates(root, exercises, untouched);
  const size = { rows: Number.MAX_SAFE_INTEGER, columns: process.stdout.columns || 120 };
  console.log(`Running the tests of ${exercise.name}…`);
  const tests = await TestSession.start(root);
  const hash = hashExercise(root, exercise);
  let result;
  try {
    result = await tests.run(exercise);
  } finally {
    await tests.close();
  }
  remember(root, new Map([[exercise.name, result.outcome]]), new Map([[exercise.name, hash]]));
  states.set(exercise.name, result.outcome);
  console.log(exerciseScreen({ root, exercise, exercises, states, result, interactive: false }, size).join('\n'));
  if (result.outcome.solved) {
    console.log(paint('green', `✓ ${exercise.name} is solved.`));
    console.log(`\n${nextStep(nextAfter(exercises, states, exercise))}`);
  } else {
    console.log(`\n${nextStep(exercise)}`);
  }
}

if (isMain(import.meta.url)) {
  runCommand(async () => {
    const { values, positionals } = parseCommandLine({ poll: flag() }, { positionals: AN_EXERCISE });
    const root = packRoot();
    const [wanted] = positionals;
    const exercises = findExercises(root);
    const chosen = wanted === undefined ? undefined : pickExercise(exercises, wanted);
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      if (chosen) await printExercise(root, chosen);
      else await printList(root);
      process.exit(0); // vitest marks failing tests in process.exitCode; an unsolved exercise is no error here
    }
    await new Session({ root, exercises, poll: values.poll, chosen }).run();
    process.exit(0);
  });
}
