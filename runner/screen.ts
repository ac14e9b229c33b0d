/**
 * The runner's screen for one exercise, made to fit the terminal (40 rows is the mark): the header —
 * progress, the files to edit as `path:line` in the README's order, the first lines of the task and
 * where the rest is — then the tests: one row per failing test, its name and the first line of its
 * message, the first failure whole (its message and where it was thrown). Vitest's whole report is one
 * key away (`v`) and in `.kata/last-run.txt`: what does not fit is said, and never lost.
 */
import { stripVTControlCharacters as plain } from 'node:util';
import { readReadme, whereToEdit, type Exercise } from './exercises.ts';
import type { Failure, FileCount, Outcome, RunResult } from './states.ts';
import { paint, progressBar } from './terminal.ts';

export interface Size {
  rows: number;
  columns: number;
}

/** The terminal's size; 40 × 100 where it does not say (a pseudo-terminal without a size, a pipe). */
export function terminalSize(stream: NodeJS.WriteStream = process.stdout): Size {
  return { rows: stream.rows || 40, columns: stream.columns || 100 };
}

/** How many rows `lines` take on a terminal `columns` wide, long lines wrapping. */
export function height(lines: string[], columns: number): number {
  return lines.reduce((sum, line) => sum + Math.max(1, Math.ceil([...plain(line)].length / columns)), 0);
}

/** Plain text cut to `width` characters, an ellipsis marking the cut. */
export function clip(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/** Plain text cut into rows of `width` characters at spaces where it can be, `indent` before every row. */
function wrap(text: string, width: number, indent = ''): string[] {
  const room = Math.max(10, width - indent.length);
  const rows: string[] = [];
  for (const line of text.split('\n')) {
    let rest = [...line];
    if (!rest.length) rows.push(indent);
    while (rest.length) {
      let cut = rest.length <= room ? rest.length : rest.lastIndexOf(' ', room);
      if (cut <= room / 2) cut = Math.min(room, rest.length); // no space late enough: cut the word
      rows.push(indent + rest.slice(0, cut).join('').trimEnd());
      rest = rest.slice(cut);
      if (rest[0] === ' ' && rows.length) rest = rest.slice(1);
    }
  }
  return rows;
}

export interface ScreenInput {
  root: string;
  exercise: Exercise;
  exercises: Exercise[];
  states: Map<string, Outcome>;
  /** Lines for the top: what just happened (an exercise solved). */
  news?: string[];
  /** The tests' last run; none while they run. */
  result?: RunResult;
  /** The latest hint shown, as `formatHint` gives it. */
  hint?: string;
  /** Lines under the tests' summary: what the runner makes of the run. */
  notes?: string[];
  /** Keys can be pressed (the runner); false: printed once, where no key can be. */
  interactive?: boolean;
}

export const KEYS = 'h hint · l list · g go to · v report · u UI · c compare · t trace · r reset · Enter rerun · q quit';

/** The whole screen, fitted to `size`. */
export function exerciseScreen(input: ScreenInput, size: Size): string[] {
  const { exercise, result } = input;
  const width = size.columns - 1;
  const top = headerLines(input, size);
  if (!result) return [...top, '', paint('gray', clip(`── running the tests of ${exercise.name} …`, width))];
  const total = result.outcome.passed + result.outcome.failed;
  const status = result.outcome.solved
    ? paint('green', `✓ ${result.outcome.passed}/${total} tests pass`)
    : paint('red', `✗ ${result.outcome.passed}/${total} tests pass`);
  const middle = ['', `${status} ${paint('gray', `(${result.seconds.toFixed(1)} s)`)}`];
  const notes = (input.notes ?? []).flatMap((note) => wrap(note, width));
  const footer =
    input.interactive === false
      ? ['', paint('gray', clip("Vitest's whole report of this run: .kata/last-run.txt", width))]
      : [
          '',
          paint('gray', clip(`Save a file of ${exercise.name} to run them again · v: vitest's whole report (also in .kata/last-run.txt)`, width)),
          paint('gray', KEYS),
        ];
  // The last row of the terminal holds the cursor.
  let room = size.rows - 1 - height(top, size.columns) - height(middle, size.columns) - height(notes, size.columns) - height(footer, size.columns);
  const hintRows = input.hint ? ['', ...wrap(plain(input.hint), width)] : [];
  const failureRows = failureLines(result, Math.max(2, room - Math.min(hintRows.length, Math.max(6, Math.floor(room / 2)))), width);
  room -= failureRows.length;
  const hint = hintRows.length > room ? [...hintRows.slice(0, Math.max(0, room - 1)), paint('gray', `… the whole hint: npm run hint -- ${exercise.number} --shown`)] : hintRows;
  if (hint.length > 1 && input.hint) hint[1] = paint('yellow', plain(hint[1]!)); // the hint's title
  return [...top, ...middle, ...failureRows, ...notes, ...(room > 1 ? hint : []), ...footer];
}

/** Progress, news, the title, the files to edit, the first lines of the task, and where the rest is. */
export function headerLines(input: ScreenInput, size: Size): string[] {
  const { root, exercise, exercises, states } = input;
  const width = size.columns - 1;
  const readme = readReadme(exercise);
  const solved = exercises.filter((e) => states.get(e.name)?.solved).length;
  const places = exercise.toEdit.length ? exercise.toEdit.map((file) => whereToEdit(root, file)) : [`exercises/${exercise.name}/`];
  const edit: string[] = [];
  let row = 'Edit';
  for (const [i, place] of places.entries()) {
    const piece = `${place}${i < places.length - 1 ? ',' : ''}`;
    if (row !== 'Edit' && plain(row).length + 1 + piece.length > width) {
      edit.push(row);
      row = '    ';
    }
    row += ` ${paint('cyan', piece)}`;
  }
  edit.push(row);
  const task = taskLines(readme.task, Math.max(3, Math.min(8, Math.floor(size.rows / 6))), size.columns);
  const readmePath = `exercises/${exercise.name}/README.md`;
  const more = task.cut ? `… the whole task, and the idea behind it: read ${readmePath}` : `The idea behind it, and commands to try: read ${readmePath}`;
  return [
    `${paint('bold', 'async-ground-up')}  ${progressBar(solved, exercises.length)}`,
    ...(input.news ?? []),
    '',
    paint('bold', clip(readme.title, width)),
    ...edit,
    '',
    ...task.lines,
    paint('gray', clip(more, width)),
  ];
}

/**
 * The task's first lines, at most `maxRows` rows, cut where an item or a paragraph ends when one
 * does; `**bold**` shown bold.
 */
function taskLines(task: string, maxRows: number, columns: number): { lines: string[]; cut: boolean } {
  const lines = task.split('\n');
  let fits = 0;
  for (let rows = 0; fits < lines.length; fits++) {
    rows += height([lines[fits]!], columns);
    if (rows > maxRows) break;
  }
  let end = fits;
  if (fits < lines.length) {
    // Cut before the last item, paragraph or block that begins within the rows, not in its middle.
    const starts = lines.map((line, i) => (i > 0 && i <= fits && /^(\s*$|\s*([-*]|\d+\.)\s|```)/.test(line) ? i : 0));
    end = Math.max(...starts) || fits;
  }
  const shown = lines.slice(0, end);
  while (shown.length && !shown[shown.length - 1]!.trim()) shown.pop();
  return { lines: shown.map((line) => line.replace(/\*\*(.+?)\*\*/g, (_, text: string) => paint('bold', text))), cut: end < lines.length };
}

/** The first line of a message. */
function firstLine(message: string): string {
  return message.split('\n').find((line) => line.trim())?.trim() ?? '';
}

/**
 * The failing tests in at most `budget` rows of `width` characters: one row per test, the first one
 * whole (its message cut to a few rows if need be), in the README's order of the test files. What does
 * not fit is counted (`… and 4 more`), and the test files after it are folded into one row each that
 * says how many fail and why. `v` shows them all.
 */
export function failureLines(result: RunResult, budget: number, width: number): string[] {
  if (!result.failures.length) return [];
  const rows = new FailureRows(result, width);
  // Every test by name first, the first message shorter if need be; else as many as fit.
  for (const messageRows of [6, 4, 2]) {
    const { lines, all } = rows.fill(budget, messageRows);
    if (all && lines.length <= budget) return lines;
  }
  const { lines } = rows.fill(budget, 4);
  return lines.length <= budget ? lines : rows.fill(budget, 2).lines.slice(0, Math.max(1, budget));
}

/** The rows `failureLines` chooses from: headings, the first failure whole, a row for each other one. */
class FailureRows {
  readonly failures: Failure[];
  /** The test files with failures, in order, and how many fail in each. */
  readonly files: string[];
  readonly counts: number[];
  readonly first: Failure;
  /** Whether each file gets a heading: when more than one file is in play. */
  readonly headed: boolean;
  readonly totals: Map<string, FileCount>;

  constructor(
    result: RunResult,
    readonly width: number,
  ) {
    this.failures = result.failures;
    this.files = [...new Set(this.failures.map((f) => f.file))];
    this.counts = this.files.map((file) => this.failures.filter((f) => f.file === file).length);
    this.first = this.failures[0]!;
    this.headed = result.files.length > 1 || this.files.length > 1;
    this.totals = new Map(result.files.map((c) => [c.file, c]));
  }

  /** `server.test.ts — 3 of 7 fail`, and for a folded file the first line of its first failure. */
  heading(file: string, folded?: Failure): string {
    const count = this.totals.get(file);
    const fail = this.failures.filter((f) => f.file === file).length;
    const title = file ? `${file} — ${fail}${count ? ` of ${count.passed + count.failed}` : ''} fail` : 'outside the tests';
    return folded ? clip(`${title}: ${firstLine(folded.message)}`, this.width) : title;
  }

  /** The first failure: its name, its message in at most `messageRows` rows, and where it was thrown. */
  whole(messageRows: number): string[] {
    const { first, width } = this;
    const message = wrap(first.message, width, '      ');
    const shown = message.length > messageRows ? [...message.slice(0, messageRows - 1), '      …'] : message;
    return [
      paint('red', clip(`  × ${first.name}`, width)),
      ...shown.map((line) => paint('red', line)),
      ...(first.at ? [paint('cyan', clip(`      at ${first.at}`, width))] : []),
    ];
  }

  /** Another failure on one row: its name and the first line of its message (`the same` as the row above). */
  row(failure: Failure, previous: Failure | undefined): string {
    const same = previous && previous.file === failure.file && firstLine(previous.message) === firstLine(failure.message);
    const message = same ? 'the same' : firstLine(failure.message);
    // The name first, but the message keeps a few words: the row says what fails, and why.
    const room = this.width - 4 - 3;
    const name = clip(failure.name, Math.max(room - [...message].length, room - Math.min([...message].length, 28)));
    return `  ${paint('red', '×')} ${name} ${paint('gray', '—')} ${clip(message, room - [...name].length)}`;
  }

  /** Each file's first `limits[i]` failing tests listed (the first one whole), or the file folded into one row for 0. */
  render(limits: number[], messageRows: number): string[] {
    const lines: string[] = [];
    for (const [index, file] of this.files.entries()) {
      const mine = this.failures.filter((f) => f.file === file);
      if (!limits[index]) {
        lines.push(paint('red', this.heading(file, mine[0])));
        continue;
      }
      if (this.headed) lines.push(this.heading(file));
      const listed = mine.slice(0, limits[index]);
      for (const [i, failure] of listed.entries()) {
        if (failure === this.first) lines.push(...this.whole(messageRows));
        else lines.push(this.row(failure, mine[i - 1]));
      }
      if (listed.length < mine.length) lines.push(paint('gray', `  … and ${mine.length - listed.length} more failing in ${file || 'this run'}: v shows every one`));
    }
    return lines;
  }

  /** As many tests as fit in `budget` rows, file after file; the files after the first that does not fit whole are folded. */
  fill(budget: number, messageRows: number): { lines: string[]; all: boolean } {
    const limits = this.files.map((_, i): number => (i === 0 ? 1 : 0)); // the first failure, whole, always
    for (const [i, count] of this.counts.entries()) {
      limits[i] = count;
      if (this.render(limits, messageRows).length <= budget) continue;
      for (limits[i] = count - 1; limits[i]! > (i === 0 ? 1 : 0); limits[i]!--) {
        if (this.render(limits, messageRows).length <= budget) break;
      }
      break;
    }
    return { lines: this.render(limits, messageRows), all: limits.every((limit, i) => limit === this.counts[i]) };
  }
}
