/**
 * `npm start`: the learner's home.
 *
 * In a terminal it is the interactive runner (runner/session.ts): progress, the current exercise,
 * watch and rerun, hints. Anywhere else (CI, a pipe, an editor's task) it prints every exercise with
 * its state and the next one to work on, once, and exits 0.
 *
 *   npm start              the runner
 *   npm start -- --poll    the same, polling the files (for WSL2, VMs and network drives that miss saves)
 */
import { isEntry, packRoot, runCommand } from './cli.ts';
import { findExercises } from './exercises.ts';
import { Session } from './session.ts';
import { exerciseStates, nextExercise } from './states.ts';
import { listExercises, nextStep, paint, progressBar } from './terminal.ts';

/** The non-interactive form: the list with states and the next step. */
export async function printList(root: string): Promise<void> {
  const exercises = findExercises(root);
  console.log('Checking your exercises in order, up to the first one not solved (results are cached in .kata/)…');
  const states = await exerciseStates(root, exercises);
  const next = nextExercise(exercises, states);
  const solved = exercises.filter((e) => states.get(e.name)?.solved).length;
  console.log(`${paint('bold', 'async-ground-up')}  ${progressBar(solved, exercises.length)}\n`);
  console.log(listExercises(exercises, states, next));
  console.log(`\n${nextStep(next)}`);
}

if (isEntry(import.meta.url)) {
  runCommand(async () => {
    const root = packRoot();
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      await printList(root);
      process.exit(0); // vitest marks failing tests in process.exitCode; an unsolved exercise is no error here
    }
    await new Session({ root, exercises: findExercises(root), poll: process.argv.includes('--poll') }).run();
    process.exit(0);
  });
}
