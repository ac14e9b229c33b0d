/**
 * The interactive runner (`npm start` in a terminal): shows the current exercise, watches its files,
 * reruns its tests on every save with vitest's own output, and moves on once a save makes them pass.
 *
 * Discussion: "moves on once a *save* makes them pass". A pass that comes without the learner having
 * changed the exercise since the runner showed it (a flaky pass, or an exercise solved elsewhere and
 * not yet re-listed) does not skip ahead: the runner says so and waits for a save. The exception is an
 * exercise shown before it was ever checked (the listing stops at the first unsolved one): its first
 * run is that check, and if it passes, the learner solved it ahead of time.
 */
import { relative } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Vitest } from 'vitest/node';
import { compareExercise } from './compare.ts';
import { readReadme, whereToEdit, type Exercise } from './exercises.ts';
import { revealNextHint, shownHints } from './hints.ts';
import { resetExercise, resetQuestion } from './reset.ts';
import { cachedStates, hashExercise, learnerVitest, nextExercise, remember, runOn, type Outcome } from './states.ts';
import { listExercises, paint, progressBar } from './terminal.ts';

export interface SessionOptions {
  root: string;
  exercises: Exercise[];
  /** Poll the files instead of waiting for change events (WSL2, VMs, network drives). */
  poll: boolean;
}

const KEYS = 'h hint · l list · c compare with the solution · r reset · Enter run again · q quit';

export class Session {
  private states = new Map<string, Outcome>();
  private current: Exercise | undefined;
  /** The learner changed the current exercise's files since the runner showed it. */
  private changedSinceShown = false;
  /** The current exercise had not been checked when it was shown (an earlier one was not solved then). */
  private shownUnchecked = false;
  /** A line for the top of the next screen: what just happened (an exercise solved). */
  private news = '';
  private running = false;
  private runAgain = false;
  /** While a y/n question is asked, the next key answers it. */
  private answer: ((yes: boolean) => void) | undefined;
  private quitting = false;
  private vitest!: Vitest;
  private watcher!: FSWatcher;
  private debounce: NodeJS.Timeout | undefined;
  private finished!: () => void;

  constructor(private readonly options: SessionOptions) {}

  /** Runs until the learner quits or solves the last exercise. */
  async run(): Promise<void> {
    const { root, exercises } = this.options;
    // No check up front: the cache says which exercises are solved, and showNext checks the rest in
    // order as it comes to them (each one's first run is its check), so no test runs twice.
    this.states = cachedStates(root, exercises);
    this.vitest = await learnerVitest(root, 'default');
    this.watcher = watch(`${root}/exercises`, { ignoreInitial: true, usePolling: this.options.poll, interval: 250 });
    this.watcher.on('all', (_event, path) => this.fileChanged(path));
    process.stdin.setRawMode(true);
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (key: string) => void this.keyPressed(key));
    const done = new Promise<void>((resolve) => (this.finished = resolve));
    await this.showNext();
    await done;
  }

  private async showNext(): Promise<void> {
    this.current = nextExercise(this.options.exercises, this.states);
    this.changedSinceShown = false;
    this.shownUnchecked = this.current !== undefined && this.states.get(this.current.name)?.unchecked === true;
    if (!this.current) {
      console.log(`\n${listExercises(this.options.exercises, this.states)}\n\n${paint('green', 'Every exercise is solved. Well done!')}`);
      return this.quit();
    }
    await this.runTests();
  }

  private fileChanged(path: string): void {
    if (!this.current || relative(this.current.dir, path).startsWith('..')) return;
    this.changedSinceShown = true;
    clearTimeout(this.debounce);
    // Editors save in bursts (write, rename, chmod): run once the burst is over.
    this.debounce = setTimeout(() => void this.runTests(), 80);
  }

  private header(exercise: Exercise): string {
    const { root, exercises } = this.options;
    const readme = readReadme(exercise);
    const solved = exercises.filter((e) => this.states.get(e.name)?.solved).length;
    return [
      `${paint('bold', 'async-ground-up')}  ${progressBar(solved, exercises.length)}`,
      ...(this.news ? [this.news] : []),
      '',
      paint('bold', readme.title),
      `Edit ${exercise.files.map((file) => paint('cyan', whereToEdit(root, file))).join(', ')}   ·   read exercises/${exercise.name}/README.md`,
      '',
      readme.task,
      ...shownHints(root, exercise).flatMap((hint) => ['', hint]),
      '',
    ].join('\n');
  }

  /** Clears the screen, shows the exercise, and runs its tests with vitest's own report. */
  private async runTests(): Promise<void> {
    const exercise = this.current;
    if (!exercise) return;
    if (this.running) {
      this.runAgain = true;
      return;
    }
    this.running = true;
    process.stdout.write('\x1b[2J\x1b[3J\x1b[H');
    console.log(this.header(exercise));
    this.news = ''; // shown once, on the screen after the news
    console.log(paint('gray', `── running the tests of ${exercise.name} …`));
    const started = Date.now();
    const hash = hashExercise(this.options.root, exercise);
    const outcome = (await runOn(this.vitest, this.options.root, [exercise])).get(exercise.name)!;
    if (this.quitting) return; // a cancelled run says nothing about the exercise
    remember(this.options.root, new Map([[exercise.name, outcome]]), new Map([[exercise.name, hash]]));
    this.states.set(exercise.name, outcome);
    this.running = false;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (this.runAgain) {
      this.runAgain = false;
      return this.runTests();
    }
    if (!outcome.solved) {
      console.log(`\n${paint('red', `✗ ${outcome.passed}/${outcome.passed + outcome.failed} tests pass`)} (${seconds} s). Save a file of ${exercise.name} to run them again.`);
      return this.showKeys();
    }
    if (this.shownUnchecked && !this.changedSinceShown) {
      // Its first check since the learner got here, as the listing would have made: solved ahead of time.
      this.news = paint('green', `✓ ${exercise.name} was solved already: every test passes. On to the next one.`);
      console.log(`\n${this.news}`);
      return this.showNext();
    }
    if (!this.changedSinceShown) {
      console.log(`\n${paint('yellow', `✓ Every test of ${exercise.name} passes, but you have not changed it since the runner showed it.`)}`);
      console.log('  The runner moves on only after a save of yours: save a file of the exercise to confirm.');
      return this.showKeys();
    }
    this.news = paint('green', `✓ ${exercise.name} solved: every test passed after your save. On to the next one.`);
    console.log(`\n${this.news}`);
    await this.showNext();
  }

  private showKeys(): void {
    console.log(paint('gray', KEYS));
  }

  private async keyPressed(key: string): Promise<void> {
    if (this.answer) {
      const answer = this.answer;
      this.answer = undefined;
      return answer(key.toLowerCase() === 'y');
    }
    const exercise = this.current;
    switch (key) {
      case 'q':
      case '\u0003': // Ctrl-C
      case '\u0004': // Ctrl-D
        return this.quit();
      case '\r':
      case '\n':
        return this.runTests();
      case 'l':
        return console.log(`\n${listExercises(this.options.exercises, this.states, exercise)}\n`);
      case 'h':
        if (exercise) console.log(`\n${this.revealHint(exercise)}\n`);
        return;
      case 'c':
        if (exercise) console.log(`\n${compareExercise(this.options.root, exercise)}\n`);
        return;
      case 'r':
        if (exercise) await this.reset(exercise);
        return;
    }
  }

  /** The next hint of the exercise (its hints.md), one more each time; the revealed ones stay on screen. */
  revealHint(exercise: Exercise): string {
    return revealNextHint(this.options.root, exercise, 'Press c to compare your file with the reference solution.');
  }

  private async reset(exercise: Exercise): Promise<void> {
    process.stdout.write(`\n${resetQuestion(exercise)} [y/N] `);
    const yes = await new Promise<boolean>((resolve) => (this.answer = resolve));
    console.log(yes ? 'y' : 'n');
    if (!yes) return console.log('Nothing changed.');
    try {
      console.log(`Reset ${resetExercise(this.options.root, exercise).join(', ')}.`);
    } catch (error) {
      console.log(paint('red', (error as Error).message));
    }
    // The watcher sees the restored files and reruns the tests.
  }

  private async quit(): Promise<void> {
    if (this.quitting) return;
    this.quitting = true;
    clearTimeout(this.debounce);
    process.stdin.setRawMode(false);
    process.stdin.pause();
    await this.watcher.close();
    // A run in progress stops after its current test, whose cleanup stops the servers it started.
    if (this.running) {
      console.log(paint('gray', 'Stopping the tests…'));
      await this.vitest.cancelCurrentRun('keyboard-input');
    }
    await this.vitest.close();
    this.finished();
  }
}
