/**
 * `npm run ui -- NN`: the vitest UI on one exercise (`npm run ui`: on every exercise), in the browser.
 * The runner's `u` key starts the same on the exercise it shows, without stopping the runner.
 *
 *   npm run ui             every exercise's tests, as a tree in curriculum order
 *   npm run ui -- 02       02's tests alone (also `02-select`, `select`)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { isMain, parseCommandLine } from '../fixtures/command-line.ts';
import { AN_EXERCISE, packRoot, runCommand } from './cli.ts';
import { findExercises, pickExercise, type Exercise } from './exercises.ts';

/** The arguments of `node` that start the vitest UI on the learner's tree, on one exercise if given. */
export function uiArgs(root: string, exercise?: Exercise, extra: string[] = []): string[] {
  return [
    join(root, 'node_modules', 'vitest', 'vitest.mjs'),
    '--ui',
    // Watch even where stdin is not a terminal (the runner's `u`): without it, vitest ends after one run.
    '--watch',
    '--project',
    'exercises',
    ...extra,
    // A file filter: vitest runs and lists only the test files whose path contains it.
    ...(exercise ? [`exercises/${exercise.name}/`] : []),
  ];
}

/** Starts the UI in the background, in its own process group; `onUrl` gets its address once it listens. */
export function startUi(root: string, exercise: Exercise, onUrl: (url: string) => void, onExit: (output: string) => void): ChildProcess {
  const child = spawn(process.execPath, uiArgs(root, exercise), {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  let output = '';
  let told = false;
  const read = (chunk: Buffer) => {
    if (output.length < 100_000) output += chunk.toString();
    const url = /UI started at (\S+)/.exec(output)?.[1];
    if (url && !told) {
      told = true;
      onUrl(url);
    }
  };
  child.stdout!.on('data', read);
  child.stderr!.on('data', read);
  child.on('exit', () => onExit(output));
  return child;
}

if (isMain(import.meta.url)) {
  runCommand(async () => {
    // Options of its own it has none: any it is given are vitest's.
    const { positionals, rest } = parseCommandLine({}, { positionals: AN_EXERCISE, unknown: 'keep' });
    const root = packRoot();
    const [wanted] = positionals;
    const exercise = wanted === undefined ? undefined : pickExercise(findExercises(root), wanted);
    const child = spawn(process.execPath, uiArgs(root, exercise, rest), { cwd: root, stdio: 'inherit' });
    // Ctrl-C reaches both from the terminal; a signal sent to this process alone is passed on.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
    await new Promise<void>((resolve) =>
      child.on('exit', (code, signal) => {
        process.exitCode = code ?? (signal ? 1 : 0);
        resolve();
      }),
    );
  });
}
