/**
 * Which exercises are solved. The answer comes from running each exercise's tests against the
 * learner's files (vitest's `exercises` project, through its Node API), never from a file the learner
 * could edit out of sync. Results are cached in `.kata/states.json`, keyed by a hash of the exercise's
 * files, so a listing reruns only the exercises whose files changed since.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { TestModule, Vitest } from 'vitest/node';
import type { Exercise } from './exercises.ts';

export interface Outcome {
  /** Every test ran and passed (and there was at least one). */
  solved: boolean;
  passed: number;
  failed: number;
  /** Not run since its files last changed: an earlier exercise is not solved yet (see `exerciseStates`). */
  unchecked?: true;
}

const UNCHECKED: Outcome = { solved: false, passed: 0, failed: 0, unchecked: true };

/** Runs the tests of some exercises and says how each went. */
export type TestRunner = (root: string, exercises: Exercise[]) => Promise<Map<string, Outcome>>;

interface CacheEntry extends Outcome {
  hash: string;
}

/** A file of the learner's own state, in `.kata/` (or `KATA_CACHE_DIR`, for the runner's own tests). */
export function kataFile(root: string, name: string): string {
  return join(process.env.KATA_CACHE_DIR ?? join(root, '.kata'), name);
}

function cacheFile(root: string): string {
  return kataFile(root, 'states.json');
}

function readCache(root: string): Record<string, CacheEntry> {
  try {
    return JSON.parse(readFileSync(cacheFile(root), 'utf8')) as Record<string, CacheEntry>;
  } catch {
    return {};
  }
}

/** Records outcomes measured on the files whose hashes are given (taken before the run started). */
export function remember(root: string, outcomes: Map<string, Outcome>, hashes: Map<string, string>): void {
  const cache = readCache(root);
  for (const [name, outcome] of outcomes) cache[name] = { ...outcome, hash: hashes.get(name)! };
  mkdirSync(join(cacheFile(root), '..'), { recursive: true });
  writeFileSync(cacheFile(root), `${JSON.stringify(cache, null, 2)}\n`);
}

/**
 * A hash of everything the exercise's outcome depends on that a learner edits: the files of its
 * folder, and of any other exercise folder they import (`../07-event-loop/loop.ts` in 08).
 */
export function hashExercise(root: string, exercise: Exercise): string {
  const hash = createHash('sha256');
  const folders = [exercise.name];
  for (let i = 0; i < folders.length; i++) {
    const dir = join(root, 'exercises', folders[i]!);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
      const path = join(dir, file);
      let content: Buffer;
      try {
        content = readFileSync(path);
      } catch {
        continue; // a folder, or a file removed under us
      }
      hash.update(`${relative(root, path)}\0`).update(content).update('\0');
      for (const [, other] of content.toString('utf8').matchAll(/['"]\.\.\/(\d\d-[a-z0-9-]+)\//g)) {
        if (!folders.includes(other!)) folders.push(other!);
      }
    }
  }
  return hash.digest('hex');
}

/**
 * The outcome of every exercise, checked the way rustlings does: in curriculum order, from the cache
 * where the exercise's files are unchanged, else by running its tests, and stopping at the first
 * exercise that is not solved. On a fresh clone that is one exercise's tests, a few seconds, instead of
 * every exercise's; the stale ones after it are left unchecked until the learner gets there.
 */
export async function exerciseStates(root: string, exercises: Exercise[], runTests: TestRunner = runWithVitest): Promise<Map<string, Outcome>> {
  const { hashes, cached } = cacheOf(root, exercises);
  const fresh = new Map<string, Outcome>();
  for (const exercise of exercises) {
    let outcome: Outcome | undefined = cached(exercise);
    if (!outcome) {
      outcome = (await runTests(root, [exercise])).get(exercise.name)!;
      fresh.set(exercise.name, outcome);
    }
    if (!outcome.solved) break;
  }
  if (fresh.size) remember(root, fresh, hashes);
  return new Map(exercises.map((e) => [e.name, fresh.get(e.name) ?? cached(e) ?? UNCHECKED]));
}

/** What the cache knows, without running anything: unchanged exercises' outcomes, the others unchecked. */
export function cachedStates(root: string, exercises: Exercise[]): Map<string, Outcome> {
  const { cached } = cacheOf(root, exercises);
  return new Map(exercises.map((e) => [e.name, cached(e) ?? UNCHECKED]));
}

/** The exercises' hashes now, and the cached outcome of each one whose files have not changed since. */
function cacheOf(root: string, exercises: Exercise[]) {
  const cache = readCache(root);
  const hashes = new Map(exercises.map((e) => [e.name, hashExercise(root, e)]));
  const cached = (e: Exercise): Outcome | undefined => (cache[e.name]?.hash === hashes.get(e.name) ? cache[e.name] : undefined);
  return { hashes, cached };
}

/** The first exercise in curriculum order that is not solved; undefined when all are. */
export function nextExercise(exercises: Exercise[], states: Map<string, Outcome>): Exercise | undefined {
  return exercises.find((e) => !states.get(e.name)?.solved);
}

/** A vitest instance on the learner's tree (the `exercises` project), with the given reporters. */
export async function learnerVitest(root: string, reporters: 'default' | 'silent'): Promise<Vitest> {
  const { createVitest } = await import('vitest/node');
  let vitest: Vitest;
  try {
    vitest = await createVitest(
      'test',
      {
        root,
        project: ['exercises'],
        watch: false,
        reporters: reporters === 'silent' ? [{}] : [['default', { summary: false }]],
      },
      // The runner watches the files itself (and knows when to poll): vite need not watch them too.
      { server: { watch: null } },
    );
  } catch (error) {
    throw new Error(
      `Cannot run the exercises' tests: vitest did not start. ${(error as Error).message.trim()}\n` +
        'Look at vitest.config.ts (or run `npm install` again if a package is missing), then try again.',
    );
  }
  await vitest.standalone(); // reporters' onInit; runs no test
  return vitest;
}

/** Runs the exercises' tests on a vitest instance and sums up each exercise's outcome. */
export async function runOn(vitest: Vitest, root: string, exercises: Exercise[]): Promise<Map<string, Outcome>> {
  for (const exercise of exercises) {
    for (const file of readdirSync(exercise.dir, { recursive: true, encoding: 'utf8' })) {
      vitest.invalidateFile(join(exercise.dir, file));
    }
  }
  const { testModules } = await vitest.runTestFiles(exercises.flatMap((e) => e.tests));
  return outcomesOf(root, exercises, testModules);
}

/** The default runner: one silent vitest run over the exercises' test files. */
export const runWithVitest: TestRunner = async (root, exercises) => {
  const vitest = await learnerVitest(root, 'silent');
  try {
    return await runOn(vitest, root, exercises);
  } finally {
    await vitest.close();
  }
};

function outcomesOf(root: string, exercises: Exercise[], modules: TestModule[]): Map<string, Outcome> {
  const outcomes = new Map<string, Outcome>(exercises.map((e) => [e.name, { solved: false, passed: 0, failed: 0 }]));
  for (const module of modules) {
    const name = relative(join(root, 'exercises'), module.moduleId).split(sep)[0]!;
    const outcome = outcomes.get(name);
    if (!outcome) continue;
    if (module.errors().length) outcome.failed++;
    for (const test of module.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') outcome.passed++;
      else if (state === 'failed') outcome.failed++;
    }
  }
  for (const [name, outcome] of outcomes) {
    const exercise = exercises.find((e) => e.name === name)!;
    const ran = modules.filter((m) => m.moduleId.startsWith(exercise.dir + sep)).length;
    outcome.solved = ran === exercise.tests.length && outcome.failed === 0 && outcome.passed > 0;
  }
  return outcomes;
}
