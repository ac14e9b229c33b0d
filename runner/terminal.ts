/**
 * What the runner prints: colours (only on a terminal that wants them), the progress bar, the list of
 * exercises with their states, and the next step.
 */
import { styleText } from 'node:util';
import type { Exercise } from './exercises.ts';
import type { Outcome } from './states.ts';

type Style = Parameters<typeof styleText>[0];

/** Colour on a terminal, plain text in a pipe, a file or CI logs; NO_COLOR and FORCE_COLOR are honoured. */
export function paint(style: Style, text: string, stream: NodeJS.WriteStream = process.stdout): string {
  const wanted = process.env.FORCE_COLOR ? process.env.FORCE_COLOR !== '0' : stream.isTTY && !process.env.NO_COLOR;
  return wanted ? styleText(style, text) : text;
}

/** `[███████░░░░░░░░░░░░░] 3/10 solved` */
export function progressBar(solved: number, total: number, width = 30): string {
  const full = total ? Math.round((solved / total) * width) : 0;
  return `[${paint('green', '█'.repeat(full))}${paint('gray', '░'.repeat(width - full))}] ${solved}/${total} solved`;
}

/** One exercise's line of the list: its state, its name, how many tests pass, and a marker. */
export function stateLine(exercise: Exercise, outcome: Outcome | undefined, marker = ''): string {
  const state = outcome?.solved ? paint('green', '✓ solved ') : paint('yellow', '· not yet');
  const counts = outcome?.notStarted
    ? paint('gray', '  not started (the skeleton as shipped)')
    : outcome?.unchecked || !outcome
      ? paint('gray', '  changed since its last check: not checked yet')
      : outcome.passed + outcome.failed
        ? paint('gray', `  ${outcome.passed}/${outcome.passed + outcome.failed} tests pass`)
        : '';
  return `  ${state}  ${exercise.name}${counts}${marker ? paint('cyan', `  ${marker}`) : ''}`;
}

/** One line per exercise: its state, its name, and a marker on the one to work on. */
export function listExercises(exercises: Exercise[], states: Map<string, Outcome>, current?: Exercise, marker = '← next'): string {
  return exercises.map((exercise) => stateLine(exercise, states.get(exercise.name), exercise === current ? marker : '')).join('\n');
}

/** What to do next: the exercise and the commands that work it. */
export function nextStep(next: Exercise | undefined): string {
  if (!next) return paint('green', 'Every exercise is solved. Well done!');
  const command = (text: string, what: string) => `  ${paint('cyan', text.padEnd(30))} ${what}`;
  return [
    `Next: ${paint('bold', next.name)}: read exercises/${next.name}/README.md, edit ${next.toEdit.join(', ') || `exercises/${next.name}/`}`,
    command(`npm start -- ${next.number}`, 'in a terminal: the runner on it, which reruns the tests on every save'),
    command(`npm test -- exercises/${next.number}`, "this exercise's tests, once"),
  ].join('\n');
}
