/**
 * The interactive runner (`npm start` in a terminal): shows the current exercise, watches its files,
 * reruns its tests on every save, and moves on once a save makes them pass, after a word on what the
 * learner has just rebuilt.
 *
 * Discussion: "moves on once a *save* makes them pass". A pass that comes without the learner having
 * changed the exercise since the runner showed it (a flaky pass, or an exercise solved elsewhere) does
 * not skip ahead: the runner says so and waits for a save. The exception is an exercise the runner
 * came to by itself before it was ever checked: its first run is that check, and if it passes, the
 * learner solved it ahead of time. An exercise the learner chose (`npm start -- 04`, `g`) stays shown
 * until they go elsewhere or solve it by a save; then the runner goes on to the next unsolved one after it.
 */
import type { ChildProcess } from 'node:child_process';
import { relative } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { compareExercise } from './compare.ts';
import { pickExercise, readReadme, type Exercise } from './exercises.ts';
import { revealNextHint, shownHints } from './hints.ts';
import { resetQuestion } from './reset.ts';
import { exerciseScreen, terminalSize } from './screen.ts';
import { restoreShipped, untouchedTest } from './shipped.ts';
import { cachedStates, hashExercise, nextAfter, nextExercise, remember, TestSession, type Outcome, type RunResult } from './states.ts';
import { listExercises, paint, stateLine } from './terminal.ts';
import { traceExercise } from './trace.ts';
import { startUi } from './ui.ts';

export interface SessionOptions {
  root: string;
  exercises: Exercise[];
  /** Poll the files instead of waiting for change events (WSL2, VMs, network drives). */
  poll: boolean;
  /** The exercise to open first (`npm start -- 04`); else the first one not solved. */
  chosen?: Exercise;
}

/** What the next key does. */
type Mode = 'keys' | 'goto' | 'answer' | 'debrief';

/** The exercise on screen, and what the runner has learned of it since it showed it. */
interface Shown {
  exercise: Exercise;
  /** The learner chose it (`npm start -- 04`, `g`): it is not left when it passes at once. */
  chosen: boolean;
  /** The learner changed its files since the runner showed it. */
  changed: boolean;
  /** It had not been checked when it was shown. */
  unchecked: boolean;
}

/**
 * Everything that happens to the runner, each handled in one place (`Session.handle`), as a loop
 * handles its events: the learner's saves and keys, the end of a run of the tests, and the runner's
 * own moves from one exercise to another.
 */
export type RunnerEvent =
  | { type: 'show'; exercise: Exercise; chosen: boolean }
  | { type: 'show next'; after?: Exercise }
  | { type: 'file changed'; path: string }
  | { type: 'run tests' }
  | { type: 'tests ended'; exercise: Exercise; hash: string; result: RunResult }
  | { type: 'keys'; keys: string }
  | { type: 'quit' };

/** What the runner does once the tests of the exercise on screen end. */
export type Decision = 'show the failures' | 'solved by a save' | 'passes as chosen' | 'solved ahead' | 'passes without a save';

/**
 * When the runner moves on (the discussion above): only once a save of the learner's makes every test
 * pass, or at the first check of an exercise it came to by itself, found solved ahead of time.
 */
export function decide(outcome: Pick<Outcome, 'solved'>, shown: Pick<Shown, 'chosen' | 'changed' | 'unchecked'>): Decision {
  if (!outcome.solved) return 'show the failures';
  if (shown.changed) return 'solved by a save';
  if (shown.chosen) return 'passes as chosen';
  return shown.unchecked ? 'solved ahead' : 'passes without a save';
}

export class Session {
  private states = new Map<string, Outcome>();
  /** Whether an exercise is still its skeleton as shipped (known without running it). */
  private untouched: (exercise: Exercise) => boolean = () => false;
  private shown: Shown | undefined;
  /** Lines for the top of the next screen: what just happened (an exercise solved). */
  private news: string[] = [];
  /** The shown exercise's last run, for the screen and `v`. */
  private last: RunResult | undefined;
  /** Lines under the tests: what the last run means for moving on. */
  private notes: string[] = [];
  /** Its tests are running; `again`: run them once more when they end (a save came meanwhile). */
  private testing: 'idle' | 'running' | 'again' = 'idle';
  /** Runs of vitest one at a time: the shown exercise's, and the checks the list asks for. */
  private lock: Promise<unknown> = Promise.resolve();
  private mode: Mode = 'keys';
  private typed = '';
  /** The mode a go-to line that goes nowhere returns to. */
  private leaveTo: Mode = 'keys';
  private answer: ((yes: boolean) => void) | undefined;
  private quitting = false;
  private tests!: TestSession;
  private watcher!: FSWatcher;
  private debounce: NodeJS.Timeout | undefined;
  private ui: { exercise: string; child: ChildProcess; url?: string } | undefined;
  /** A trace of the exercise's server (`t`) under way: quitting waits for it to stop its server. */
  private tracing: Promise<void> | undefined;
  private finished!: () => void;

  constructor(private readonly options: SessionOptions) {}

  private get root(): string {
    return this.options.root;
  }

  private get exercises(): Exercise[] {
    return this.options.exercises;
  }

  private get current(): Exercise | undefined {
    return this.shown?.exercise;
  }

  /** Runs until the learner quits or solves the last exercise. */
  async run(): Promise<void> {
    this.untouched = untouchedTest(this.root, this.exercises);
    // No check up front: the cache says which exercises are solved, untouched skeletons are not, and
    // the runner checks the others as it comes to them (each one's first run is its check).
    this.refreshStates();
    this.tests = await TestSession.start(this.root);
    this.watcher = watch(`${this.root}/exercises`, { ignoreInitial: true, usePolling: this.options.poll, interval: 250 });
    this.watcher.on('all', (_event, path) => this.handle({ type: 'file changed', path }));
    process.stdin.setRawMode(true);
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (keys: string) => this.handle({ type: 'keys', keys }));
    const done = new Promise<void>((resolve) => (this.finished = resolve));
    const chosen = this.options.chosen;
    this.handle(chosen ? { type: 'show', exercise: chosen, chosen: true } : { type: 'show next' });
    await done;
  }

  /** The one place where the runner answers what happens. */
  private handle(event: RunnerEvent): void {
    switch (event.type) {
      case 'show':
        return this.show(event.exercise, event.chosen);
      case 'show next':
        return this.showNext(event.after);
      case 'file changed':
        return this.fileChanged(event.path);
      case 'run tests':
        return this.runTests();
      case 'tests ended':
        return this.testsEnded(event.exercise, event.hash, event.result);
      case 'keys':
        return this.typedKeys(event.keys);
      case 'quit':
        return void this.quit();
    }
  }

  /**
   * What the cache and the shipped copies say of every exercise now: files change outside the exercise
   * on screen too (an editor, `npm test`, which records what it finds).
   */
  private refreshStates(): void {
    this.states = cachedStates(this.root, this.exercises, this.untouched);
  }

  /** Shows an exercise and runs its tests. */
  private show(exercise: Exercise, chosen: boolean): void {
    this.refreshStates();
    this.shown = { exercise, chosen, changed: false, unchecked: this.states.get(exercise.name)?.unchecked === true };
    this.last = undefined;
    this.notes = [];
    this.runTests();
  }

  /** On to the first exercise not solved (after `after`, coming round), or the end. */
  private showNext(after?: Exercise): void {
    this.refreshStates();
    const next = after ? nextAfter(this.exercises, this.states, after) : nextExercise(this.exercises, this.states);
    if (!next) {
      this.shown = undefined;
      console.log(`\n${listExercises(this.exercises, this.states)}\n\n${paint('green', 'Every exercise is solved. Well done!')}`);
      return this.handle({ type: 'quit' });
    }
    this.show(next, false);
  }

  private fileChanged(path: string): void {
    if (!this.shown || relative(this.shown.exercise.dir, path).startsWith('..')) return;
    this.shown.changed = true;
    clearTimeout(this.debounce);
    // Editors save in bursts (write, rename, chmod): run once the burst is over.
    this.debounce = setTimeout(() => this.handle({ type: 'run tests' }), 80);
  }

  /** Clears the terminal and shows the current exercise: its header, and its tests' last run. */
  private draw(): void {
    const exercise = this.current;
    if (!exercise || this.quitting) return;
    const running = this.testing !== 'idle';
    const lines = exerciseScreen(
      {
        root: this.root,
        exercise,
        exercises: this.exercises,
        states: this.states,
        news: this.news,
        result: running ? undefined : this.last,
        hint: shownHints(this.root, exercise).at(-1),
        notes: this.notes,
      },
      terminalSize(),
    );
    process.stdout.write(`\x1b[2J\x1b[3J\x1b[H${lines.join('\n')}\n`);
    if (!running && this.last) this.news = []; // said once, on the first screen of the run after it
  }

  /** One vitest run at a time. */
  private exclusive<T>(run: () => Promise<T>): Promise<T> {
    const next = this.lock.then(run);
    this.lock = next.catch(() => undefined);
    return next;
  }

  /** Starts a run of the shown exercise's tests; `tests ended` comes when it ends. */
  private runTests(): void {
    const exercise = this.current;
    if (!exercise || this.mode === 'debrief') return;
    if (this.testing !== 'idle') {
      this.testing = 'again';
      return;
    }
    this.testing = 'running';
    this.draw();
    const hash = hashExercise(this.root, exercise);
    void this.exclusive(() => this.tests.run(exercise)).then((result) => this.handle({ type: 'tests ended', exercise, hash, result }));
  }

  /** Keeps what a run found, and does what it means: show it, stay, or move on. */
  private testsEnded(exercise: Exercise, hash: string, result: RunResult): void {
    if (this.quitting) return; // a cancelled run says nothing about the exercise
    remember(this.root, new Map([[exercise.name, result.outcome]]), new Map([[exercise.name, hash]]));
    this.states.set(exercise.name, result.outcome);
    const again = this.testing === 'again' || exercise !== this.current;
    this.testing = 'idle';
    if (again) return this.runTests();
    this.last = result;
    this.notes = [];
    this.act(decide(result.outcome, this.shown!), exercise);
  }

  private act(decision: Decision, exercise: Exercise): void {
    switch (decision) {
      case 'show the failures':
        return this.draw();
      case 'solved ahead':
        // Its first check since the learner got here, as the listing would have made: solved ahead of time.
        this.news = [paint('green', `✓ ${exercise.name} was solved already: every test passes. On to the next one.`)];
        return this.handle({ type: 'show next', after: exercise });
      case 'passes as chosen':
        this.notes = [paint('green', `✓ ${exercise.name} is solved: every test passes. A save of yours runs them again; g goes to another exercise.`)];
        return this.draw();
      case 'passes without a save':
        this.notes = [
          paint('yellow', `✓ Every test of ${exercise.name} passes, but you have not changed it since the runner showed it.`),
          'The runner moves on only after a save of yours: save a file of the exercise to confirm.',
        ];
        return this.draw();
      case 'solved by a save':
        this.news = [paint('green', `✓ ${exercise.name} solved: every test passed after your save.`)];
        return this.debrief(exercise);
    }
  }

  /** What the learner has just rebuilt, and its counterpart in the real world; then on, at a key. */
  private debrief(exercise: Exercise): void {
    const rebuilt = readReadme(exercise).rebuilt;
    this.refreshStates();
    const next = nextAfter(this.exercises, this.states, exercise);
    if (!rebuilt) {
      this.handle({ type: 'show next', after: exercise });
      return;
    }
    this.mode = 'debrief';
    const text = rebuilt.replace(/\*\*(.+?)\*\*/g, (_, bold: string) => paint('bold', bold));
    process.stdout.write('\x1b[2J\x1b[3J\x1b[H');
    console.log([...this.news, '', paint('bold', `What you have rebuilt in ${exercise.name}`), '', text, ''].join('\n'));
    console.log(paint('cyan', next ? `Enter: on to ${next.name}` : 'Enter: the list, and the end'), paint('gray', '· l list · g go to · q quit'));
  }

  private typedKeys(keys: string): void {
    // An arrow or function key is an escape sequence: not a key of the runner's.
    if (keys.length > 1 && keys.startsWith('\x1b')) return;
    // Each key takes effect at once (`r` then `y` in one read: the question, then its answer), not after the last one's work.
    for (const key of keys) void this.keyPressed(key);
  }

  private async keyPressed(key: string): Promise<void> {
    if (key === '\u0003' || key === '\u0004') return this.handle({ type: 'quit' }); // Ctrl-C, Ctrl-D, always
    if (this.mode === 'answer') {
      const answer = this.answer!;
      this.mode = 'keys';
      this.answer = undefined;
      return answer(key.toLowerCase() === 'y');
    }
    if (this.mode === 'goto') return this.goto(key);
    if (this.mode === 'debrief') {
      if (key === '\r' || key === '\n' || key === ' ') {
        this.mode = 'keys';
        return this.handle({ type: 'show next', after: this.current });
      }
      if (!/^[lgq\d]$/.test(key)) return;
    }
    const exercise = this.current;
    if (/^\d$/.test(key)) {
      this.leaveTo = this.mode;
      this.mode = 'goto';
      this.typed = '';
      process.stdout.write(`\n${paint('cyan', 'go to exercise:')} `);
      return this.goto(key);
    }
    switch (key) {
      case 'q':
        return this.handle({ type: 'quit' });
      case '\r':
      case '\n':
        return this.handle({ type: 'run tests' });
      case 'l':
        return this.list();
      case 'g':
        this.leaveTo = this.mode;
        this.mode = 'goto';
        this.typed = '';
        process.stdout.write(`\n${paint('cyan', 'go to exercise (its number or name, then Enter; Esc: never mind):')} `);
        return;
      case 'h':
        if (exercise) console.log(`\n${this.revealHint(exercise)}\n`);
        return;
      case 'c':
        if (exercise) console.log(`\n${compareExercise(this.root, exercise)}\n`);
        return;
      case 'r':
        if (exercise) await this.reset(exercise);
        return;
      case 'v':
        if (this.last) console.log(`\n${this.last.report}\n\n${paint('gray', '(vitest’s report of the last run, also in .kata/last-run.txt)')}`);
        else console.log(paint('gray', '\nThe tests are running: their report comes when they end.'));
        return;
      case 'u':
        if (exercise) this.openUi(exercise);
        return;
      case 't':
        if (exercise) this.trace(exercise);
        return;
    }
  }

  /** `npm run trace` on the exercise's server, printed when it ends (a few seconds); one at a time. */
  private trace(exercise: Exercise): void {
    if (this.tracing) return console.log(paint('gray', '\nA trace is under way: its timeline comes when it ends.'));
    this.tracing = traceExercise(this.root, exercise)
      .catch((error: Error) => console.log(paint('red', error.message)))
      .finally(() => (this.tracing = undefined));
  }

  /** A key of the go-to line: digits and letters build the name, Enter goes, Esc or Backspace on nothing leaves. */
  private goto(key: string): void {
    if (key === '\x1b' || ((key === '\x7f' || key === '\b') && !this.typed)) {
      this.mode = this.leaveTo;
      console.log(paint('gray', 'never mind'));
      return;
    }
    if (key === '\x7f' || key === '\b') {
      this.typed = this.typed.slice(0, -1);
      process.stdout.write('\b \b');
      return;
    }
    if (key !== '\r' && key !== '\n') {
      if (/^[\w-]$/.test(key)) {
        this.typed += key;
        process.stdout.write(key);
      }
      return;
    }
    this.mode = this.leaveTo;
    console.log();
    if (!this.typed) return;
    let exercise: Exercise;
    try {
      exercise = pickExercise(this.exercises, this.typed);
    } catch (error) {
      return console.log(paint('red', (error as Error).message));
    }
    this.mode = 'keys';
    this.news = [];
    this.handle({ type: 'show', exercise, chosen: true });
  }

  /** The list, then a check of every exercise changed since its last check, a line as each one ends. */
  private async list(): Promise<void> {
    if (this.testing === 'idle') this.refreshStates();
    console.log(`\n${listExercises(this.exercises, this.states, this.current, '← here')}`);
    console.log(paint('gray', 'Type an exercise’s number and Enter to go to it (04⏎).'));
    const stale = this.exercises.filter((e) => e !== this.current && this.states.get(e.name)?.unchecked);
    if (!stale.length) return;
    console.log(paint('gray', `Checking ${stale.map((e) => e.name).join(', ')}: changed since their last check…`));
    for (const exercise of stale) {
      const hash = hashExercise(this.root, exercise);
      const result = await this.exclusive(async () => (this.quitting ? undefined : this.tests.run(exercise, { keepReport: false })));
      if (!result || this.quitting) return;
      remember(this.root, new Map([[exercise.name, result.outcome]]), new Map([[exercise.name, hash]]));
      this.states.set(exercise.name, result.outcome);
      console.log(stateLine(exercise, result.outcome, `checked (${result.seconds.toFixed(1)} s)`));
    }
  }

  /** The next hint of the exercise (its hints.md), one more each time; the latest stays on the screen. */
  revealHint(exercise: Exercise): string {
    return revealNextHint(this.root, exercise, 'Press c to compare your file with the reference solution.');
  }

  private async reset(exercise: Exercise): Promise<void> {
    process.stdout.write(`\n${resetQuestion(exercise)} [y/N] `);
    this.mode = 'answer';
    const yes = await new Promise<boolean>((resolve) => (this.answer = resolve));
    console.log(yes ? 'y' : 'n');
    if (!yes) return console.log('Nothing changed.');
    try {
      const { files, from } = restoreShipped(this.root, exercise);
      console.log(`Reset ${files.join(', ')} to the shipped version (${from}).`);
    } catch (error) {
      console.log(paint('red', (error as Error).message));
    }
    // The watcher sees the restored files and reruns the tests.
  }

  /** The vitest UI on the exercise, in the background: its address is printed once it listens. */
  private openUi(exercise: Exercise): void {
    if (this.ui?.exercise === exercise.name) {
      console.log(this.ui.url ? `\nThe vitest UI of ${exercise.name}: ${paint('cyan', this.ui.url)}` : '\nThe vitest UI is starting…');
      return;
    }
    this.stopUi();
    console.log(`\nStarting the vitest UI on ${exercise.name} (it reruns the tests on a save too)…`);
    const ui: NonNullable<Session['ui']> = {
      exercise: exercise.name,
      child: startUi(
        this.root,
        exercise,
        (url) => {
          ui.url = url;
          console.log(`The vitest UI of ${exercise.name}: ${paint('cyan', url)}`);
        },
        (output) => {
          if (this.ui !== ui || this.quitting) return;
          this.ui = undefined;
          if (!ui.url) console.log(paint('red', `The vitest UI did not start:\n${output.trim().split('\n').slice(-10).join('\n')}`));
        },
      ),
    };
    this.ui = ui;
  }

  private stopUi(): void {
    const ui = this.ui;
    this.ui = undefined;
    if (!ui?.child.pid) return;
    try {
      process.kill(-ui.child.pid, 'SIGTERM');
    } catch {
      // it ended
    }
  }

  private async quit(): Promise<void> {
    if (this.quitting) return;
    this.quitting = true;
    clearTimeout(this.debounce);
    this.stopUi();
    await this.tracing;
    process.stdin.setRawMode(false);
    process.stdin.pause();
    await this.watcher.close();
    // A run in progress stops after its current test, whose cleanup stops the servers it started.
    if (this.testing !== 'idle') {
      console.log(paint('gray', '\nStopping the tests…'));
      await this.tests.cancel();
    }
    await this.tests.close();
    this.finished();
  }
}
