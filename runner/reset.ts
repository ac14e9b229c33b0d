/**
 * `npm run reset -- NN [--yes]`: puts an exercise's files back as the pack shipped them (as committed
 * in git), after asking. Files the learner added to the folder are left alone.
 */
import { execFileSync } from 'node:child_process';
import { confirm, exerciseFromArgs, isEntry, packRoot, runCommand } from './cli.ts';
import type { Exercise } from './exercises.ts';

/** Restores the exercise's folder from git's HEAD; returns the files it restored. */
export function resetExercise(root: string, exercise: Exercise): string[] {
  const folder = `exercises/${exercise.name}`;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  let shipped: string[];
  try {
    shipped = git('ls-tree', '-r', '--name-only', 'HEAD', '--', folder).split('\n').filter(Boolean);
  } catch {
    throw new Error(`Cannot reset ${folder}: this copy of the pack is not a git clone, so the shipped files are not at hand.`);
  }
  if (!shipped.length) throw new Error(`Cannot reset ${folder}: git has no committed version of it.`);
  git('restore', '--source=HEAD', '--worktree', '--', folder);
  return shipped;
}

/** The question asked before a reset. */
export function resetQuestion(exercise: Exercise): string {
  return `Reset exercises/${exercise.name} to the shipped skeleton? Your changes to ${exercise.files.join(', ')} will be lost.`;
}

if (isEntry(import.meta.url)) {
  runCommand(async () => {
    const root = packRoot();
    const exercise = await exerciseFromArgs(root);
    if (!process.argv.includes('--yes')) {
      if (!process.stdin.isTTY) throw new Error(`Not resetting ${exercise.name} without asking: run it in a terminal, or add --yes.`);
      if (!(await confirm(resetQuestion(exercise)))) return console.log('Nothing changed.');
    }
    const files = resetExercise(root, exercise);
    console.log(`Reset ${files.join(', ')} to the shipped version.`);
  });
}
