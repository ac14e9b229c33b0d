/**
 * The rules that keep the exercises an exercise (`npm run verify` checks them; run this file alone to
 * see them with the figures: `npx tsx scripts/skeleton-rules.ts [NN …]`):
 *
 *   - no line of a reference solution's code appears in the comments of its skeleton: a skeleton
 *     states the contract, and the answer is not printed beside the question;
 *   - the skeletons hold at most TODO_LINE_BUDGET lines of `// TODO` guidance in all, and no `void x;`
 *     statement (they only silenced unused names);
 *   - every exercise has its hints in `hints.md`, at least MIN_HINTS of them, and none in its README.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findExercises, hintsOf, type Exercise } from '../runner/exercises.ts';
import { commandLine, isMain, ROOT } from '../fixtures/command-line.ts';

export const TODO_LINE_BUDGET = 80;
export const MIN_HINTS = 3;
/** Shorter lines (`return;`, `}`) say nothing about whether the answer was given away. */
const MIN_CODE_CHARS = 12;

interface Comment {
  /** The first line of the comment, 1-based. */
  line: number;
  /** Its text without the comment markers, whitespace removed (as `squeeze` leaves code). */
  text: string;
}

interface Parsed {
  /** Each line's code with the comments taken out. */
  codeLines: string[];
  /** Each comment: a block comment, or a run of `//` comments on consecutive lines. */
  comments: Comment[];
}

/** Splits TypeScript source into code and comments, minding strings and template literals. */
export function parseSource(source: string): Parsed {
  const codeLines: string[] = [''];
  const comments: Comment[] = [];
  let line = 1;
  let lastLineComment: { comment: Comment; line: number } | undefined;
  const code = (text: string) => {
    const parts = text.split('\n');
    codeLines[codeLines.length - 1] += parts[0];
    for (const part of parts.slice(1)) codeLines.push(part);
    line += parts.length - 1;
  };
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i, i + 2);
    if (rest === '//') {
      const end = source.indexOf('\n', i) === -1 ? source.length : source.indexOf('\n', i);
      const text = squeeze(source.slice(i + 2, end));
      const previous = lastLineComment;
      if (previous && previous.line === line - 1 && codeLines[codeLines.length - 1]!.trim() === '') {
        previous.comment.text += text;
        previous.line = line;
      } else {
        const comment = { line, text };
        comments.push(comment);
        lastLineComment = { comment, line };
      }
      i = end;
    } else if (rest === '/*') {
      const close = source.indexOf('*/', i + 2);
      const end = close === -1 ? source.length : close + 2;
      const body = source.slice(i + 2, close === -1 ? source.length : close);
      comments.push({ line, text: squeeze(body.replace(/^\s*\*/gm, '')) });
      code('\n'.repeat(body.split('\n').length - 1));
      i = end;
    } else if (source[i] === '/' && startsRegex(codeLines)) {
      let j = i + 1;
      for (let inClass = false; j < source.length && source[j] !== '\n' && (inClass || source[j] !== '/'); j++) {
        if (source[j] === '\\') j++;
        else if (source[j] === '[') inClass = true;
        else if (source[j] === ']') inClass = false;
      }
      code(source.slice(i, j + 1));
      i = j + 1;
    } else if (source[i] === "'" || source[i] === '"' || source[i] === '`') {
      const quote = source[i]!;
      let j = i + 1;
      while (j < source.length && source[j] !== quote) j += source[j] === '\\' ? 2 : 1;
      const literal = source.slice(i, j + 1);
      // A literal over several lines is data (a page, a message), not lines of code: keep its line breaks only.
      code(literal.includes('\n') ? `${quote}…${quote}${'\n'.repeat(literal.split('\n').length - 1)}` : literal);
      i = j + 1;
    } else {
      code(source[i]!);
      i++;
    }
  }
  return { codeLines, comments };
}

/** A `/` that is not a comment starts a regular expression where an operand is expected, not a division. */
function startsRegex(codeLines: string[]): boolean {
  const before = codeLines.join('\n').trimEnd();
  return before === '' || /[(,=:[!&|?{};+\-*%<>~^]$/.test(before) || /\b(return|typeof|case|of|in)$/.test(before);
}

/** Without any whitespace: `a = b` and `a=b` are the same line of code. */
function squeeze(text: string): string {
  return text.replace(/\s+/g, '');
}

export interface Leak {
  /** The line of the skeleton where the comment starts. */
  line: number;
  /** The solution's line of code, as written there. */
  code: string;
}

/**
 * A line that is one name (`DefaultSelector,` in a list of imports) or one string (`'<h1>Blog</h1>',`
 * in a page the tests expect) gives nothing away when a comment names it: that is the contract's
 * vocabulary, not a step.
 */
function isNameOrData(key: string): boolean {
  return /^([\w$.]+|'[^']*'|"[^"]*"|`[^`]*`)[,;]?$/.test(key);
}

/** The solution's lines of code that the skeleton's comments give away. */
export function solutionCodeInComments(skeleton: string, solution: string): Leak[] {
  const { comments } = parseSource(skeleton);
  const leaks: Leak[] = [];
  const seen = new Set<string>();
  for (const codeLine of parseSource(solution).codeLines) {
    const key = squeeze(codeLine);
    if (key.length < MIN_CODE_CHARS || isNameOrData(key) || seen.has(key)) continue;
    seen.add(key);
    const comment = comments.find((c) => c.text.includes(key));
    if (comment) leaks.push({ line: comment.line, code: codeLine.trim() });
  }
  return leaks;
}

/** Lines of `// TODO` guidance: a `//` line that says TODO, and the `//` lines that follow it. */
export function todoCommentLines(source: string): number {
  let count = 0;
  let inTodo = false;
  for (const line of source.split('\n').map((l) => l.trim())) {
    if (!line.startsWith('//')) inTodo = false;
    else if (/\bTODO\b/.test(line)) inTodo = true;
    if (inTodo) count++;
  }
  return count;
}

/** `void x;` and `void [a, b];` statements: they only silenced unused names. */
export function voidStatements(source: string): number {
  return source.split('\n').filter((line) => /^\s*void\s/.test(line)).length;
}

export interface ExerciseReport {
  exercise: Exercise;
  todoLines: number;
  voids: number;
  hints: number;
  problems: string[];
}

/** The skeleton files of an exercise that have a reference to compare with and differ from it (given files are the same in both). */
function skeletonPairs(root: string, exercise: Exercise): Array<{ file: string; skeleton: string; solution: string }> {
  return exercise.files.flatMap((file) => {
    const solutionPath = join(root, 'solutions', file.replace(/^exercises\//, ''));
    if (!existsSync(solutionPath)) return [];
    const skeleton = readFileSync(join(root, file), 'utf8');
    const solution = readFileSync(solutionPath, 'utf8');
    return skeleton === solution ? [] : [{ file, skeleton, solution }];
  });
}

export function checkExercise(root: string, exercise: Exercise): ExerciseReport {
  const problems: string[] = [];
  let todoLines = 0;
  let voids = 0;
  for (const file of exercise.files) {
    const source = readFileSync(join(root, file), 'utf8');
    todoLines += todoCommentLines(source);
    const v = voidStatements(source);
    voids += v;
    if (v) problems.push(`${file} has ${v} \`void\` statement(s): take them out (nothing needs silencing)`);
  }
  for (const { file, skeleton, solution } of skeletonPairs(root, exercise)) {
    for (const leak of solutionCodeInComments(skeleton, solution)) {
      problems.push(`${file}:${leak.line}: a comment gives away the solution's code \`${leak.code}\`: state the contract, move the step to hints.md`);
    }
  }
  const readmeFile = join(exercise.dir, 'README.md');
  const readme = existsSync(readmeFile) ? readFileSync(readmeFile, 'utf8') : '';
  if (!readme) problems.push(`exercises/${exercise.name} has no README.md: the idea, the task, the commands, and "Stuck?"`);
  if (/<details>|^## Hints\b/m.test(readme)) {
    problems.push(`exercises/${exercise.name}/README.md holds hints: they belong in hints.md, out of sight until asked for`);
  }
  const hintsFile = join(exercise.dir, 'hints.md');
  const hints = existsSync(hintsFile) ? hintsOf(readFileSync(hintsFile, 'utf8')).length : 0;
  if (hints < MIN_HINTS) problems.push(`exercises/${exercise.name}/hints.md has ${hints} hint(s): write at least ${MIN_HINTS}, from a nudge to near-code`);
  return { exercise, todoLines, voids, hints, problems };
}

/** Every exercise's report, and the pack-wide TODO budget's problem if it is exceeded. */
export function checkPack(root = ROOT, only: string[] = []): { reports: ExerciseReport[]; budget: string | undefined } {
  const exercises = findExercises(root);
  const reports = exercises.map((exercise) => checkExercise(root, exercise));
  const total = reports.reduce((sum, r) => sum + r.todoLines, 0);
  const budget =
    total > TODO_LINE_BUDGET
      ? `the skeletons hold ${total} lines of \`// TODO\` guidance, over the budget of ${TODO_LINE_BUDGET}: a skeleton states contracts; steps go to hints.md`
      : undefined;
  return { reports: only.length ? reports.filter((r) => only.includes(r.exercise.name)) : reports, budget };
}

/** What names an exercise on the command line of verify and of this script: its number. */
export const EXERCISE_NUMBER = 'the number of an exercise, as in 02 or 2';

/** The folder of the exercise numbered `text` (`2` or `02`), if there is one. */
export function exerciseFolder(text: string, root = ROOT): string | undefined {
  if (!/^\d{1,2}$/.test(text)) return undefined;
  return readdirSync(join(root, 'exercises')).find((folder) => folder.startsWith(`${text.padStart(2, '0')}-`));
}

if (isMain(import.meta.url)) {
  const only = commandLine({}, { positionals: { max: Infinity, accepts: EXERCISE_NUMBER, read: exerciseFolder } }).positionals;
  const { reports, budget } = checkPack(ROOT, only);
  console.log('exercise            TODO lines  void  hints');
  for (const r of reports) {
    console.log(`${r.exercise.name.padEnd(20)}${String(r.todoLines).padStart(10)}${String(r.voids).padStart(6)}${String(r.hints).padStart(7)}`);
  }
  const problems = [...reports.flatMap((r) => r.problems), ...(budget ? [budget] : [])];
  for (const problem of problems) console.log(` ✗ ${problem}`);
  process.exit(problems.length ? 1 : 0);
}
