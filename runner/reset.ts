/**
 * `npm run reset -- NN [--yes]`: puts an exercise's files back as the pack shipped them, after asking,
 * whatever the learner committed since (runner/shipped.ts says where the shipped files come from).
 * Files the learner added to the folder are left alone.
 */
import { flag, isMain, parseCommandLine } from '../fixtures/command-line.ts';
import { AN_EXERCISE, confirm, exerciseFromArgs, packRoot, runCommand } from './cli.ts';
import type { Exercise } from './exercises.ts';
import { restoreShipped } from './shipped.ts';

/** Restores the exercise's folder as shipped; returns the files it restored, from the pack's root. */
export function resetExercise(root: string, exercise: Exercise): string[] {
  return restoreShipped(root, exercise).files;
}

/** The question asked before a reset. */
export function resetQuestion(exercise: Exercise): string {
  return `Reset exercises/${exercise.name} to the shipped skeleton? Your changes to ${exercise.toEdit.join(', ') || 'its files'} will be lost.`;
}

if (isMain(import.meta.url)) {
  runCommand(async () => {
    const { values, positionals } = parseCommandLine({ yes: flag() }, { positionals: AN_EXERCISE });
    const root = packRoot();
    const exercise = await exerciseFromArgs(root, positionals[0]);
    if (!values.yes) {
      if (!process.stdin.isTTY) throw new Error(`Not resetting ${exercise.name} without asking: run it in a terminal, or add --yes.`);
      if (!(await confirm(resetQuestion(exercise)))) return console.log('Nothing changed.');
    }
    const { files, from } = restoreShipped(root, exercise);
    console.log(`Reset ${files.join(', ')} to the shipped version (${from}).`);
  });
}
