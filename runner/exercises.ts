/**
 * The exercises of the pack, as the runner sees them: the folders `exercises/NN-topic/` in curriculum
 * order (by their number), each with its README (title, task, what was rebuilt), its hints (`hints.md`,
 * kept out of the README so that reading the task never shows them) and the files the learner edits,
 * in the order the README's task names them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

export interface Exercise {
  /** The folder's name, `01-blocking`. */
  name: string;
  /** `01`: what the learner types after `npm run compare --`. */
  number: string;
  /** The folder, absolute. */
  dir: string;
  /** Every `.ts` file of the folder but the tests, relative to the pack's root, by name. */
  files: string[];
  /**
   * The files the learner edits, relative to the pack's root, in the order the README's "Your task"
   * first names them: `files` without the given ones (a header that says so, and the same file in
   * `solutions/`).
   */
  toEdit: string[];
  /** The test files, absolute, in the order of the files they test (`toEdit`'s order). */
  tests: string[];
}

export interface Readme {
  /** The first heading, `01 · blocking — the blocking echo server, and its problem`. */
  title: string;
  /** The body of the `## Your task` section. */
  task: string;
  /** The body of the `What you have rebuilt` section (`##` or `###`): the debrief once it is solved. */
  rebuilt: string;
}

/** One rung of an exercise's ladder of hints: a `## heading` of its `hints.md` and what follows it. */
export interface Hint {
  title: string;
  body: string;
}

const EXERCISE_FOLDER = /^(\d\d)-[a-z0-9-]+$/;

/** Every `exercises/NN-topic/` folder under `root`, in curriculum order. */
export function findExercises(root: string): Exercise[] {
  const base = join(root, 'exercises');
  if (!existsSync(base)) return [];
  return readdirSync(base, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && EXERCISE_FOLDER.test(entry.name))
    .map((entry) => entry.name)
    .sort()
    .map((name) => exerciseAt(root, name));
}

function exerciseAt(root: string, name: string): Exercise {
  const dir = join(root, 'exercises', name);
  const ts = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts')).sort();
  const files = ts.filter((file) => !isTest(file)).map((file) => relative(root, join(dir, file)));
  const order = readmeOrder(readFileIfAny(join(dir, 'README.md')), files);
  const toEdit = order.filter((file) => !isGiven(root, file));
  const tests = ts.filter(isTest).map((file) => join(dir, file));
  // A test file goes where the file it tests goes: roundrobin.test.ts with roundrobin.ts.
  const rank = (test: string) => {
    const at = order.findIndex((file) => basename(file, '.ts') === basename(test, '.test.ts'));
    return at === -1 ? order.length : at;
  };
  return { name, number: name.slice(0, 2), dir, files, toEdit, tests: tests.sort((a, b) => rank(a) - rank(b)) };
}

function isTest(file: string): boolean {
  return file.endsWith('.test.ts');
}

function readFileIfAny(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/**
 * The files in the order the README's "Your task" first names them (`future.ts`, then `task.ts`, …),
 * the ones it does not name after them, by name. Without a task section, the whole README decides.
 */
export function readmeOrder(readme: string, files: string[]): string[] {
  const text = section(readme, 'Your task') || readme;
  const firstMention = (file: string) => {
    const name = basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const at = text.search(new RegExp(`(?<![\\w.-])${name}(?!\\w)`));
    return at === -1 ? Number.MAX_SAFE_INTEGER : at;
  };
  return files
    .map((file, index) => ({ file, at: firstMention(file), index }))
    .sort((a, b) => a.at - b.at || a.index - b.index)
    .map(({ file }) => file);
}

/**
 * A given file, which the learner reads but does not write: its opening comment says so ("given",
 * "nothing to write here") and it is the very file of the reference solution.
 */
export function isGiven(root: string, file: string): boolean {
  const source = readFileIfAny(join(root, file));
  const header = /^\s*\/\*\*?([\s\S]*?)\*\//.exec(source)?.[1] ?? '';
  if (!/\bgiven\b|nothing to write here/i.test(header)) return false;
  const reference = join(root, file.replace(/^exercises\//, 'solutions/'));
  return existsSync(reference) && readFileSync(reference, 'utf8') === source;
}

/**
 * The exercise a learner means by `wanted`: `2`, `02`, `02-select`, `select` or `exercises/02-select`.
 * Throws a message that lists the exercises when none matches.
 */
export function pickExercise(exercises: Exercise[], wanted: string): Exercise {
  const key = wanted.trim().replace(/\/+$/, '').replace(/^(\.\/)?exercises\//, '');
  const found = exercises.find(
    (e) => e.name === key || (/^\d+$/.test(key) && e.number === key.padStart(2, '0')) || e.name.slice(3) === key,
  );
  if (!found) {
    throw new Error(`No exercise "${wanted}". The exercises are: ${exercises.map((e) => e.name).join(', ')}`);
  }
  return found;
}

/** The exercise's README, read afresh (the pack may have been updated under a running runner). */
export function readReadme(exercise: Exercise): Readme {
  const text = readFileIfAny(join(exercise.dir, 'README.md'));
  return {
    title: /^# (.+)$/m.exec(text)?.[1]?.trim() ?? exercise.name,
    task: section(text, 'Your task'),
    rebuilt: section(text, 'What you have rebuilt'),
  };
}

/** The exercise's hints, from a nudge to near-code, read afresh from its `hints.md` (none: no file). */
export function readHints(exercise: Exercise): Hint[] {
  return hintsOf(readFileIfAny(join(exercise.dir, 'hints.md')));
}

/** Each `## heading` of a hints file starts a hint; what comes before the first one is the file's title. */
export function hintsOf(markdown: string): Hint[] {
  // A `## ` inside a fenced code block is code, not a heading.
  const lines = markdown.split('\n');
  const hints: Hint[] = [];
  let fenced = false;
  for (const line of lines) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = !fenced && /^## (.+)$/.exec(line);
    if (heading) hints.push({ title: heading[1]!.trim(), body: '' });
    else if (hints.length) hints[hints.length - 1]!.body += `${line}\n`;
  }
  return hints.map(({ title, body }) => ({ title, body: body.trim() }));
}

/** The body of the `## heading` (or `### heading`) section, up to the next heading of its level or above. */
function section(markdown: string, heading: string): string {
  const found = new RegExp(`^(#{2,3}) ${heading}\\s*$`, 'm').exec(markdown);
  if (!found) return '';
  const body = markdown.slice(markdown.indexOf('\n', found.index) + 1);
  const end = body.search(new RegExp(`^#{2,${found[1]!.length}} `, 'm'));
  return (end === -1 ? body : body.slice(0, end)).trim();
}

/**
 * `exercises/01-blocking/server.ts:14`: the file with the line of its first unfinished part (a
 * `// TODO` comment, or a `throw new Error('TODO(…)')`), a form that editors and terminals turn into a
 * link that opens the file at that line; the file alone once nothing is left to do in it.
 */
export function whereToEdit(root: string, file: string): string {
  const lines = readFileIfAny(join(root, file)).split('\n');
  const todo = lines.findIndex((line) => /\/\/\s*TODO\b|\bTODO\(/.test(line));
  return todo === -1 ? file : `${file}:${todo + 1}`;
}
