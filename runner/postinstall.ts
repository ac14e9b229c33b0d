/**
 * `npm install` runs this (package.json's `postinstall`): it keeps a copy of every exercise as shipped
 * in `.kata/shipped/`, before the learner could change a file, for `npm run reset` and for telling an
 * untouched skeleton without running it (runner/shipped.ts). It never fails an install: without it,
 * the runner makes the copy later, from git.
 */
import { packRoot } from './cli.ts';
import { findExercises } from './exercises.ts';
import { ensureShipped } from './shipped.ts';

try {
  const root = packRoot();
  const meta = ensureShipped(root, findExercises(root), 'npm install');
  console.log(`Kept the ${Object.keys(meta).length} exercises as shipped in .kata/shipped/ (npm run reset puts them back from there).`);
} catch (error) {
  console.log(`Could not keep a copy of the exercises as shipped (${(error as Error).message}); the runner will make it from git.`);
}
