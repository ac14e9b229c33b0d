/**
 * Helpers for the runner's own tests: a small pack of exercises in a temporary folder, shaped like the
 * real one (exercises/, solutions/, a vitest config with an `exercises` project), so the runner can
 * be tested without touching the learner's files or depending on how far the learner got.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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

/** Makes `root` a git repository whose one commit holds everything in it but node_modules. */
export function commitAll(root: string): void {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'ignore' });
  writeFileSync(join(root, '.gitignore'), 'node_modules\n.kata/\n');
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=kata', '-c', 'user.email=kata@example.invalid', 'commit', '-q', '-m', 'the pack as shipped');
}

/** The environment for a child run of the runner or vitest: without the variables of the vitest running this test. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(VITEST|KATA_|TEST$|NODE_ENV$|FORCE_COLOR$)/.test(name)),
  );
  return { ...env, NO_COLOR: '1', ...extra };
}
