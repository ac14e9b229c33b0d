/**
 * Which exercises are solved, and how their tests went. The answer comes from running each exercise's
 * tests against the learner's files (vitest's `exercises` project, through its Node API), never from a
 * file the learner could edit out of sync. Outcomes are cached in `.kata/states.json`, keyed by a hash of
 * the exercise's files, so a listing reruns only the exercises whose files changed since; an exercise
 * whose files are still the shipped skeleton needs no run at all (see shipped.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import type { TestCase, TestModule, TestSuite, Vitest } from 'vitest/node';
import type { Exercise } from './exercises.ts';

export interface Outcome {
  /** Every test ran and passed (and there was at least one). */
  solved: boolean;
  passed: number;
  failed: number;
  /** Changed since its last check, and not run since (see `cachedStates`). */
  unchecked?: true;
  /** Its files are the skeleton as shipped: not solved, and no test needed to run to know it. */
  notStarted?: true;
}

const UNCHECKED: Outcome = { solved: false, passed: 0, failed: 0, unchecked: true };
const NOT_STARTED: Outcome = { solved: false, passed: 0, failed: 0, notStarted: true };

/** One failing test, or an error outside any test, as the runner lists it. */
export interface Failure {
  /** The test file, inside the exercise's folder: `roundrobin.test.ts`. */
  file: string;
  /** The test's name, under its file's `NN-topic: …` suite; for an error outside a test, what failed. */
  name: string;
  /** The error's whole message (the harness's run over several lines). */
  message: string;
  /** Where it was thrown: in the learner's files if it was, else in the test (`exercises/…/x.ts:20:9`). */
  at?: string;
}

export interface FileCount {
  file: string;
  passed: number;
  failed: number;
}

/** What one run of an exercise's tests says. */
export interface RunResult {
  outcome: Outcome;
  /** In the order the learner meets them: test files in the README's order, tests as written. */
  failures: Failure[];
  /** Each test file's counts, in the same order: `{ file: 'server.test.ts', passed: 3, failed: 4 }`. */
  files: FileCount[];
  seconds: number;
  /** Vitest's own report of the run (its default reporter), plain text. */
  report: string;
}

/** Runs the tests of some exercises and says how each went. */
export type TestRunner = (root: string, exercises: Exercise[]) => Promise<Map<string, Outcome>>;

interface CacheEntry extends Outcome {
  hash: string;
}

/** A file of the learner's own state, in `.kata/` (or `KATA_CACHE_DIR`, for the runner's own tests). */
export function kataFile(root: string, name: string): string {
  return join(process.env.KATA_CACHE_DIR ?? join(root, '.kata'), name);
}

/** A JSON file of the learner's state, or `{}` when there is none yet (or it cannot be read: a cache miss). */
export function readKataJson<T extends object>(root: string, name: string): T {
  try {
    return JSON.parse(readFileSync(kataFile(root, name), 'utf8')) as T;
  } catch {
    return {} as T;
  }
}

/** Writes a file of the learner's state (a value is written as JSON), making `.kata/` if need be. */
export function writeKataFile(root: string, name: string, content: string | object): void {
  const path = kataFile(root, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
}

function readCache(root: string): Record<string, CacheEntry> {
  return readKataJson<Record<string, CacheEntry>>(root, 'states.json');
}

/** Records outcomes measured on the files whose hashes are given (taken before the run started). */
export function remember(root: string, outcomes: Map<string, Outcome>, hashes: Map<string, string>): void {
  const cache = readCache(root);
  for (const [name, { solved, passed, failed }] of outcomes) cache[name] = { solved, passed, failed, hash: hashes.get(name)! };
  writeKataFile(root, 'states.json', cache);
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

/** How the state of an exercise was found: from the cache, from its untouched files, or by a run just now. */
export type Checked = { how: 'cache' } | { how: 'shipped' } | { how: 'run'; seconds: number };

export interface StatesOptions {
  /** Runs the tests (default: vitest, one instance for the whole check). */
  runTests?: TestRunner;
  /** Called as each exercise's state is known, in order: the check is never silent. */
  onChecked?: (exercise: Exercise, outcome: Outcome, checked: Checked) => void;
  /** Called just before an exercise's tests start to run. */
  onRunning?: (exercise: Exercise) => void;
  /** Tells untouched skeletons apart without running them (shipped.ts); default: none is. */
  untouched?: (exercise: Exercise) => boolean;
}

/**
 * The state of every exercise, true as of now, checked in curriculum order: from the cache where the
 * exercise's files are unchanged since its last run, `not started` where they are the shipped skeleton,
 * and else by running its tests. Stale exercises after the first unsolved one are checked too: an
 * exercise solved out of order counts as solved.
 */
export async function exerciseStates(root: string, exercises: Exercise[], options: StatesOptions = {}): Promise<Map<string, Outcome>> {
  const { hashes, cached } = cacheOf(root, exercises);
  const vitest = options.runTests ? undefined : new LazyTests(root);
  const runTests = options.runTests ?? ((_root: string, [exercise]: Exercise[]) => vitest!.outcome(exercise!));
  const states = new Map<string, Outcome>();
  try {
    for (const exercise of exercises) {
      let outcome = cached(exercise);
      let checked: Checked = { how: 'cache' };
      if (!outcome && options.untouched?.(exercise)) [outcome, checked] = [NOT_STARTED, { how: 'shipped' }];
      if (!outcome) {
        options.onRunning?.(exercise);
        const started = Date.now();
        outcome = (await runTests(root, [exercise])).get(exercise.name)!;
        checked = { how: 'run', seconds: (Date.now() - started) / 1000 };
        remember(root, new Map([[exercise.name, outcome]]), hashes);
      }
      states.set(exercise.name, outcome);
      options.onChecked?.(exercise, outcome, checked);
    }
  } finally {
    await vitest?.close();
  }
  return states;
}

/**
 * What is known without running anything: unchanged exercises' outcomes, untouched skeletons as not
 * started, the others unchecked.
 */
export function cachedStates(root: string, exercises: Exercise[], untouched: (exercise: Exercise) => boolean = () => false): Map<string, Outcome> {
  const { cached } = cacheOf(root, exercises);
  return new Map(exercises.map((e) => [e.name, cached(e) ?? (untouched(e) ? NOT_STARTED : UNCHECKED)]));
}

/** The exercises' hashes now, and the cached outcome of each one whose files have not changed since. */
function cacheOf(root: string, exercises: Exercise[]) {
  const cache = readCache(root);
  const hashes = new Map(exercises.map((e) => [e.name, hashExercise(root, e)]));
  const cached = (e: Exercise): Outcome | undefined => {
    const entry = cache[e.name];
    return entry?.hash === hashes.get(e.name) ? { solved: entry.solved, passed: entry.passed, failed: entry.failed } : undefined;
  };
  return { hashes, cached };
}

/** The first exercise in curriculum order that is not solved; undefined when all are. */
export function nextExercise(exercises: Exercise[], states: Map<string, Outcome>): Exercise | undefined {
  return exercises.find((e) => !states.get(e.name)?.solved);
}

/** The first exercise not solved after `current`, in curriculum order, coming round to the start; undefined when all are. */
export function nextAfter(exercises: Exercise[], states: Map<string, Outcome>, current: Exercise): Exercise | undefined {
  const at = exercises.findIndex((e) => e.name === current.name);
  const order = [...exercises.slice(at + 1), ...exercises.slice(0, at + 1)];
  return order.find((e) => !states.get(e.name)?.solved);
}

/**
 * Vitest on the learner's tree (the `exercises` project), with its default reporter writing into a
 * string instead of the terminal: the runner shows its own summary, and the whole report on demand.
 */
export class TestSession {
  private constructor(
    private readonly vitest: Vitest,
    private readonly capture: Capture,
    private readonly root: string,
  ) {}

  static async start(root: string): Promise<TestSession> {
    const { createVitest } = await import('vitest/node');
    const capture = new Capture();
    let vitest: Vitest;
    try {
      vitest = await createVitest(
        'test',
        { root, project: ['exercises'], watch: false, reporters: [['default', { summary: false, isTTY: false }]] },
        // The runner watches the files itself (and knows when to poll): vite need not watch them too.
        { server: { watch: null } },
        { stdout: capture, stderr: capture },
      );
    } catch (error) {
      throw new Error(
        `Cannot run the exercises' tests: vitest did not start. ${(error as Error).message.trim()}\n` +
          'Look at vitest.config.ts (or run `npm install` again if a package is missing), then try again.',
      );
    }
    await vitest.standalone(); // reporters' onInit; runs no test
    return new TestSession(vitest, capture, root);
  }

  /** Runs one exercise's tests; the report is also written to `.kata/last-run.txt` (unless `keepReport` is false). */
  async run(exercise: Exercise, { keepReport = true } = {}): Promise<RunResult> {
    // Vite does not watch the files (the runner does): whatever the learner changed, in this exercise
    // or another it imports (08 imports 00's and 07's), must be transformed afresh.
    const exercises = join(this.root, 'exercises');
    for (const file of readdirSync(exercises, { recursive: true, encoding: 'utf8' })) {
      if (file.endsWith('.ts')) this.vitest.invalidateFile(join(exercises, file));
    }
    this.capture.text = '';
    const started = Date.now();
    const { testModules, unhandledErrors } = await this.vitest.runTestFiles(exercise.tests);
    const seconds = (Date.now() - started) / 1000;
    const report = stripVTControlCharacters(this.capture.text).trim();
    if (keepReport) {
      try {
        writeKataFile(this.root, 'last-run.txt', `${report}\n`);
      } catch {
        // the report is a convenience: a read-only folder must not stop the runner
      }
    }
    const outcome = outcomesOf(this.root, [exercise], testModules).get(exercise.name)!;
    const failures = failuresOf(this.root, exercise, testModules);
    for (const error of unhandledErrors) {
      failures.push({ file: "", name: "an error outside the tests (vitest: unhandled)", message: messageOf(error as ErrorLike) });
    }
    return { outcome, failures, files: fileCounts(exercise, testModules), seconds, report };
  }

  /** Stops the run in progress: its current test ends, and its cleanup stops the servers it started. */
  cancel(): Promise<void> {
    return this.vitest.cancelCurrentRun('keyboard-input');
  }

  close(): Promise<void> {
    return this.vitest.close();
  }
}

/** Where vitest's reporter writes: a string, for the runner to show when asked. */
class Capture extends Writable {
  text = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }

  /** Vitest pipes each test worker's output into this stream, and a pipe ends it when the worker exits: it lives as long as the runner. */
  override end(): this {
    return this;
  }
}

/** A TestSession started on first use, for a check that may need none. */
class LazyTests {
  private session: Promise<TestSession> | undefined;
  constructor(private readonly root: string) {}
  async outcome(exercise: Exercise): Promise<Map<string, Outcome>> {
    this.session ??= TestSession.start(this.root);
    return new Map([[exercise.name, (await (await this.session).run(exercise)).outcome]]);
  }
  async close(): Promise<void> {
    if (this.session) await (await this.session).close();
  }
}

/** The exercise a test module belongs to: `01-blocking` for exercises/01-blocking/server.test.ts. */
function exerciseOf(root: string, module: TestModule): string {
  return relative(join(root, 'exercises'), module.moduleId).split(sep)[0]!;
}

/** Sums up each exercise's outcome from its test modules. */
export function outcomesOf(root: string, exercises: Exercise[], modules: readonly TestModule[]): Map<string, Outcome> {
  const outcomes = new Map<string, Outcome>(exercises.map((e) => [e.name, { solved: false, passed: 0, failed: 0 }]));
  for (const module of modules) {
    const outcome = outcomes.get(exerciseOf(root, module));
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

/** The failures of a run, in the learner's order: test files as the README orders them, tests as written. */
export function failuresOf(root: string, exercise: Exercise, modules: readonly TestModule[]): Failure[] {
  const rank = (module: TestModule) => exercise.tests.indexOf(module.moduleId);
  const failures: Failure[] = [];
  for (const module of [...modules].filter((m) => m.moduleId.startsWith(exercise.dir + sep)).sort((a, b) => rank(a) - rank(b))) {
    const file = relative(exercise.dir, module.moduleId);
    for (const error of module.errors()) {
      failures.push({ file, name: `${file} could not run`, message: messageOf(error), at: placeOf(root, exercise, error) });
    }
    for (const suite of module.children.allSuites()) {
      for (const error of suite.errors()) {
        failures.push({ file, name: `${nameOf(suite)} (its setup)`, message: messageOf(error), at: placeOf(root, exercise, error) });
      }
    }
    for (const test of module.children.allTests()) {
      const result = test.result();
      if (result.state !== 'failed') continue;
      const error = result.errors[0];
      failures.push({ file, name: nameOf(test), message: error ? messageOf(error) : 'failed', at: error && placeOf(root, exercise, error) });
    }
  }
  return failures;
}

/** How many tests of each test file passed and failed, in the README's order. */
function fileCounts(exercise: Exercise, modules: readonly TestModule[]): FileCount[] {
  return exercise.tests.map((test) => {
    const count = { file: relative(exercise.dir, test), passed: 0, failed: 0 };
    const module = modules.find((m) => m.moduleId === test);
    if (!module) return count;
    if (module.errors().length) count.failed++;
    for (const t of module.children.allTests()) {
      const state = t.result().state;
      if (state === 'passed') count.passed++;
      else if (state === 'failed') count.failed++;
    }
    return count;
  });
}

/** A test's name under its file's top suite (`NN-topic: …`, the same for every test of the file). */
function nameOf(task: TestCase | TestSuite): string {
  const names = [task.name];
  for (let parent = task.parent; parent.type === 'suite'; parent = parent.parent) names.unshift(parent.name);
  if (names.length > 1) names.shift();
  return names.join(' › ');
}

interface ErrorLike {
  message?: string;
  name?: string;
  stacks?: Array<{ file: string; line: number; column: number }>;
}

function messageOf(error: ErrorLike): string {
  const message = stripVTControlCharacters(error.message ?? String(error)).trim();
  const name = error.name && error.name !== 'Error' && error.name !== 'AssertionError' ? `${error.name}: ` : '';
  return `${name}${message}` || 'failed without a message';
}

/** `exercises/04-generators/roundrobin.ts:20:9`: the first frame in the learner's files, else in the test. */
function placeOf(root: string, exercise: Exercise, error: ErrorLike): string | undefined {
  const frames = (error.stacks ?? []).filter((frame) => frame.file.startsWith(exercise.dir + sep));
  const frame = frames.find((f) => !f.file.endsWith('.test.ts')) ?? frames[0];
  return frame && `${relative(root, frame.file)}:${frame.line}:${frame.column}`;
}
