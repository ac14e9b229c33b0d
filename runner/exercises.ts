/**
 * The exercises of the pack, as the runner sees them: the folders `exercises/NN-topic/` in curriculum
 * order (by their number), each with its README (title, task), its hints (`hints.md`, kept out of the
 * README so that reading the task never shows them) and the files the learner edits.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface Exercise {
  /** The folder's name, `01-blocking`. */
  name: string;
  /** `01`: what the learner types after `npm run compare --`. */
  number: string;
  /** The folder, absolute. */
  dir: string;
  /** The files to edit, relative to the pack's root: every `.ts` file of the folder but the tests. */
  files: string[];
  /** The test files, absolute. */
  tests: string[];
}

export interface Readme {
  /** The first heading, `01 · blocking — the blocking echo server, and its problem`. */
  title: string;
  /** The body of the `## Your task` section. */
  task: string;
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
  return {
    name,
    number: name.slice(0, 2),
    dir,
    files: ts.filter((file) => !isTest(file)).map((file) => relative(root, join(dir, file))),
    tests: ts.filter(isTest).map((file) => join(dir, file)),
  };
}

function isTest(file: string): boolean {
  return file.endsWith('.test.ts');
}

/**
 * The exercise a learner means by `wanted`: `2`, `02`, `02-select`, `select` or `exercises/02-select`.
 * Throws a message that lists the exercises when none matches.
 */
export function pickExercise(exercises: Exercise[], wanted: string): Exercise {
  const key = wanted.replace(/\/+$/, '').replace(/^(\.\/)?exercises\//, '');
  const found = exercises.find(
    (e) => e.name === key || e.number === key.padStart(2, '0') || e.name.slice(3) === key,
  );
  if (!found) {
    throw new Error(`No exercise "${wanted}". The exercises are: ${exercises.map((e) => e.name).join(', ')}`);
  }
  return found;
}

/** The exercise's README, read afresh (the pack may have been updated under a running runner). */
export function readReadme(exercise: Exercise): Readme {
  const path = join(exercise.dir, 'README.md');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  return {
    title: /^# (.+)$/m.exec(text)?.[1]?.trim() ?? exercise.name,
    task: section(text, 'Your task'),
  };
}

/** The exercise's hints, from a nudge to near-code, read afresh from its `hints.md` (none: no file). */
export function readHints(exercise: Exercise): Hint[] {
  const path = join(exercise.dir, 'hints.md');
  return existsSync(path) ? hintsOf(readFileSync(path, 'utf8')) : [];
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

/** The body of the `## heading` section, up to the next `## `. */
function section(markdown: string, heading: string): string {
  const start = markdown.search(new RegExp(`^## ${heading}\\s*$`, 'm'));
  if (start === -1) return '';
  const body = markdown.slice(markdown.indexOf('\n', start) + 1);
  const end = body.search(/^## /m);
  return (end === -1 ? body : body.slice(0, end)).trim();
}

/**
 * `exercises/01-blocking/server.ts:14`: the file with the line of its first TODO, a form that editors
 * and terminals turn into a link that opens the file at that line.
 */
export function whereToEdit(root: string, file: string): string {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const todo = lines.findIndex((line) => /\bTODO\b/.test(line));
  return todo === -1 ? file : `${file}:${todo + 1}`;
}
