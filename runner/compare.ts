/**
 * `npm run compare -- NN`: the learner's file(s) beside the reference solution, as a coloured diff
 * (lines only yours in red, lines only the reference's in green). With no NN, the current exercise.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { structuredPatch } from 'diff';
import { isMain, parseCommandLine } from '../fixtures/command-line.ts';
import { AN_EXERCISE, exerciseFromArgs, packRoot, runCommand } from './cli.ts';
import type { Exercise } from './exercises.ts';
import { paint } from './terminal.ts';

/** The diff of every file the learner edits against the reference, in the README's order, ready to print. */
export function compareExercise(root: string, exercise: Exercise): string {
  return exercise.toEdit.map((file) => compareFile(root, file)).join('\n\n');
}

function compareFile(root: string, file: string): string {
  const reference = file.replace(/^exercises\//, 'solutions/');
  if (!existsSync(join(root, reference))) return `${file}: there is no reference solution for this file.`;
  const yours = readFileSync(join(root, file), 'utf8');
  const theirs = readFileSync(join(root, reference), 'utf8');
  const title = `${paint('bold', file)} ${paint('red', '(yours: −)')}  beside  ${paint('bold', reference)} ${paint('green', '(reference: +)')}`;
  if (yours === theirs) return `${title}\n  identical.`;
  const { hunks } = structuredPatch(file, reference, yours, theirs, undefined, undefined, { context: 3 });
  const body = hunks.map((hunk) => {
    const heading = paint('cyan', `@@ ${file}:${hunk.oldStart} · ${reference}:${hunk.newStart} @@`);
    return [heading, ...hunk.lines.map(colourLine)].join('\n');
  });
  return [title, ...body].join('\n');
}

function colourLine(line: string): string {
  if (line.startsWith('-')) return paint('red', line);
  if (line.startsWith('+')) return paint('green', line);
  if (line.startsWith('\\')) return paint('gray', line);
  return line;
}

if (isMain(import.meta.url)) {
  runCommand(async () => {
    const [wanted] = parseCommandLine({}, { positionals: AN_EXERCISE }).positionals;
    const root = packRoot();
    console.log(compareExercise(root, await exerciseFromArgs(root, wanted)));
  });
}
