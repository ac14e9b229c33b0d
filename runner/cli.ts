/** What the runner's commands share: where the pack is, which exercise is meant, and asking the learner. */
import { createInterface } from 'node:readline/promises';
import { resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { ROOT, UsageError } from '../fixtures/command-line.ts';
import { findExercises, pickExercise, type Exercise } from './exercises.ts';
import { isUntouched } from './shipped.ts';
import { cachedStates, nextExercise } from './states.ts';

/** The pack the runner works on: the pack's root, or `KATA_ROOT` (the runner's own tests point it at a small pack). */
export function packRoot(): string {
  return resolve(process.env.KATA_ROOT ?? ROOT);
}

/** What a runner command takes besides its options: at most one exercise. */
export const AN_EXERCISE = { max: 1, accepts: 'an exercise: 04, 04-generators or generators' };

/**
 * The exercise `wanted` names, or, with none named, the first one not known to be solved (as the cache
 * of the last runs knows it: nothing is run to find it).
 */
export async function exerciseFromArgs(root: string, wanted: string | undefined): Promise<Exercise> {
  const exercises = findExercises(root);
  if (wanted !== undefined) return pickExercise(exercises, wanted);
  const next = nextExercise(exercises, cachedStates(root, exercises, (e) => isUntouched(root, e)));
  if (!next) throw new Error('Every exercise is solved: name one, e.g. `npm run compare -- 01`.');
  return next;
}

/** Asks a yes/no question on the terminal; anything but y/yes is no. */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** Runs a command's main function: a thrown error becomes its message and exit code 1 (2 for a command line it cannot take). */
export function runCommand(main: () => Promise<void>): void {
  // A reader that stops early (`npm run hint -- 02 | head -3`) is no error of ours.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  main().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    // Colour codes in a pipe or a log are noise around every character.
    console.error(process.stderr.isTTY ? message : stripVTControlCharacters(message));
    process.exit(error instanceof UsageError ? 2 : 1);
  });
}
