/**
 * `npm run hint -- NN`: the next hint of an exercise, one at a time, from a nudge to near-code.
 *
 * Which hints the learner has seen is kept in `.kata/hints.json`, shared with the runner's `h`, so
 * the two never show the same hint twice as "the next one", and a learner who works with `npm test`
 * and an editor climbs the same ladder as one in `npm start`.
 *
 *   npm run hint -- 02            the next hint of 02 not shown yet (`hint 2 of 5`)
 *   npm run hint                  the same, for the exercise you are on (as far as `npm start` last knew)
 *   npm run hint -- 02 --shown    the hints of 02 shown so far, again
 *   npm run hint -- 02 --reset    forget which hints of 02 were shown
 */
import { flag, isMain, parseCommandLine } from '../fixtures/command-line.ts';
import { AN_EXERCISE, packRoot, runCommand } from './cli.ts';
import { findExercises, pickExercise, readHints, type Exercise } from './exercises.ts';
import { cachedStates, nextExercise, readKataJson, writeKataFile } from './states.ts';
import { paint } from './terminal.ts';

function readShown(root: string): Record<string, number> {
  return readKataJson<Record<string, number>>(root, 'hints.json');
}

function writeShown(root: string, exercise: Exercise, count: number): void {
  writeKataFile(root, 'hints.json', { ...readShown(root), [exercise.name]: count });
}

/** How many of the exercise's hints the learner has seen (never more than it has). */
export function hintsShown(root: string, exercise: Exercise): number {
  return Math.min(readShown(root)[exercise.name] ?? 0, readHints(exercise).length);
}

/** `hint 2 of 5 · 02-select: Which sockets belong in the write list?` and the hint's text. */
export function formatHint(exercise: Exercise, index: number): string {
  const hints = readHints(exercise);
  const { title, body } = hints[index]!;
  return `${paint('yellow', `hint ${index + 1} of ${hints.length} · ${exercise.name}: ${title}`)}\n\n${body}`;
}

/** The hints shown so far, in order. */
export function shownHints(root: string, exercise: Exercise): string[] {
  return Array.from({ length: hintsShown(root, exercise) }, (_, i) => formatHint(exercise, i));
}

/** The next hint not shown yet, which counts as shown from now on; or, when none is left, `compare`. */
export function revealNextHint(
  root: string,
  exercise: Exercise,
  compare = `\`npm run compare -- ${exercise.number}\` shows your file beside the reference solution.`,
): string {
  const count = readHints(exercise).length;
  const shown = hintsShown(root, exercise);
  if (!count) return `${exercise.name} has no hints. ${compare}`;
  if (shown >= count) return `Every hint of ${exercise.name} is shown (${count} of ${count}). ${compare}`;
  writeShown(root, exercise, shown + 1);
  return formatHint(exercise, shown);
}

/** Forgets which hints of the exercise were shown: the ladder starts again at the first. */
export function forgetHints(root: string, exercise: Exercise): void {
  writeShown(root, exercise, 0);
}

if (isMain(import.meta.url)) {
  runCommand(async () => {
    const { values, positionals } = parseCommandLine({ shown: flag(), reset: flag() }, { positionals: AN_EXERCISE });
    const root = packRoot();
    const exercises = findExercises(root);
    const [wanted] = positionals;
    const exercise = wanted !== undefined ? pickExercise(exercises, wanted) : nextExercise(exercises, cachedStates(root, exercises));
    if (!exercise) throw new Error('Every exercise is solved: name one, e.g. `npm run hint -- 02`.');
    if (values.reset) {
      forgetHints(root, exercise);
      return console.log(`Forgot the hints shown for ${exercise.name}: the next one is hint 1 again.`);
    }
    if (values.shown) {
      const shown = shownHints(root, exercise);
      return console.log(shown.length ? shown.join('\n\n') : `No hint of ${exercise.name} shown yet: \`npm run hint -- ${exercise.number}\` shows the first.`);
    }
    console.log(revealNextHint(root, exercise));
    const left = readHints(exercise).length - hintsShown(root, exercise);
    if (left > 0) console.log(paint('gray', `\n(${left} more: \`npm run hint -- ${exercise.number}\` again when this one was not enough)`));
  });
}
