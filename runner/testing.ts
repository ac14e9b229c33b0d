/**
 * Helpers for the runner's own tests: a small pack of exercises in a temporary folder, shaped like the
 * real one (exercises/, solutions/, a vitest config with an `exercises` project), so the runner can
 * be tested without touching the learner's files or depending on how far the learner got.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { ROOT } from '../fixtures/harness/target.ts';
import { deferCleanup } from '../fixtures/harness/index.ts';

export type Files = Record<string, string>;

const CONFIG = `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { projects: [{ test: { name: 'exercises', include: ['exercises/**/*.test.ts'] } }] } });
`;

/** A test that passes when `value.ts` exports `answer = 42`, and the skeleton that makes it fail. */
export const ANSWER_TEST = `import { expect, test } from 'vitest';
import { answer } from './value.ts';
test('the answer is 42', () => expect(answer, 'set answer to 42').toBe(42));
`;
export const SKELETON = `// TODO: the answer\nexport const answer: number = 0;\n`;
export const SOLVED = `export const answer: number = 42;\n`;

export const README = `# 02 · second — the second exercise

## Your task

Set \`answer\` to 42.

## What you have rebuilt

The answer, as Deep Thought computed it: \`answer\` in value.ts.

## Stuck?

\`npm run hint -- 02\` prints the next hint.
`;

export const HINTS = `# Hints · 02 second

## Where is \`answer\`?

In value.ts.

## Which number?

Forty-two.

\`\`\`
## not a heading: this is code
\`\`\`

## The whole shape

\`export const answer = 42\`
`;

/**
 * A pack in a fresh temporary folder, removed when the test (or file) ends. `node_modules` links to the
 * project's own, so the pack's tests import vitest like the real ones.
 */
export function makePack(files: Files): string {
  const root = mkdtempSync(join(tmpdir(), 'kata-pack-'));
  deferCleanup(() => rmSync(root, { recursive: true, force: true }));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  writeFiles(root, { 'package.json': '{ "type": "module" }\n', 'vitest.config.ts': CONFIG, ...files });
  return root;
}

export function writeFiles(root: string, files: Files): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

/** The identity the learner commits with in a pack made by `commitAll` (its local git config). */
export const LEARNER_EMAIL = 'learner@example.invalid';

/**
 * Makes `root` a git repository whose one commit, by the pack's maintainers, holds everything in it
 * but node_modules; the learner's identity is the repository's own (`git config user.email`).
 */
export function commitAll(root: string): void {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'ignore' });
  writeFileSync(join(root, '.gitignore'), 'node_modules\n.kata/\n');
  git('init', '-q');
  git('config', 'user.name', 'Learner');
  git('config', 'user.email', LEARNER_EMAIL);
  git('add', '-A');
  git('-c', 'user.name=kata', '-c', 'user.email=kata@example.invalid', 'commit', '-q', '-m', 'the pack as shipped');
}

/** Commits everything as the learner does, with the identity the repository is configured with. */
export function commitAsLearner(root: string, message = 'my work'): void {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'ignore', env: childEnv({}) });
  git('add', '-A');
  git('commit', '-q', '-m', message);
}

/** Three tests that fail on SKELETON with long names and messages, as a real exercise's do. */
export const THREE_TESTS = `import { describe, expect, test } from 'vitest';
import { answer } from './value.ts';
describe('03-third: a few tests', () => {
  test('the answer is 42, as Deep Thought computed it after seven and a half million years of thinking', () =>
    expect(answer, 'set answer to 42: the tests read it from value.ts, which exports it as a number').toBe(42));
  test('the answer is even, which matters to the second test of this small exercise and to nobody else', () =>
    expect(answer % 2 === 0 && answer > 0, 'an even positive answer, please: 0 is even, but not positive').toBe(true));
  test('the answer is more than forty, which the third and last test checks on its own, for the listing', () =>
    expect(answer, 'more than forty').toBeGreaterThan(40));
});
`;

/**
 * The rows the last screen of a runner's raw output takes on a terminal `columns` wide: from its
 * last clear-screen to the end, colour codes aside; with its text.
 */
export function lastScreen(raw: string, columns: number): { text: string; rows: number } {
  const text = stripVTControlCharacters(raw.slice(Math.max(0, raw.lastIndexOf('\x1b[2J')))).replace(/\r/g, '');
  const lines = text.replace(/\n$/, '').split('\n');
  return { text, rows: lines.reduce((sum, line) => sum + Math.max(1, Math.ceil([...line].length / columns)), 0) };
}

/** The environment for a child run of the runner or vitest: without the variables of the vitest running this test. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(VITEST|KATA_|TEST$|NODE_ENV$|FORCE_COLOR$)/.test(name)),
  );
  return { ...env, NO_COLOR: '1', ...extra };
}
