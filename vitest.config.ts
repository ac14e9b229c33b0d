/**
 * One test suite, several trees. The `exercises` project runs the tests against the learner's files;
 * `solutions` runs the very same test files against the reference (see fixtures/harness/target.ts).
 * `npm run verify` adds the shipped skeletons and the known-wrong solutions (scripts/verify.ts).
 */
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Plugin } from 'vite';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { isTestFile, mapToTarget, type Target } from './fixtures/harness/target.ts';

/** Resolves a test file's relative imports of exercise code to the target's file. */
function targetResolver(target: Target): Plugin {
  return {
    name: `kata-target-${target}`,
    enforce: 'pre',
    resolveId(source, importer) {
      if (!importer || !source.startsWith('.') || !isTestFile(importer)) return null;
      const wanted = resolve(dirname(importer), source);
      if (isTestFile(wanted)) return null;
      const mapped = mapToTarget(wanted, target);
      return mapped === wanted ? null : mapped;
    },
  };
}

const exerciseTests = ['exercises/**/*.test.ts'];

function treeProject(name: string, target: Target, include = exerciseTests): TestProjectInlineConfiguration {
  return {
    extends: true,
    plugins: target === 'exercises' ? [] : [targetResolver(target)],
    test: { name, include, env: { KATA_TARGET: target } },
  };
}

const projects: TestProjectInlineConfiguration[] = [
  treeProject('exercises', 'exercises'),
  treeProject('solutions', 'solutions'),
  { extends: true, test: { name: 'fixtures', include: ['fixtures/**/*.test.ts', 'runner/**/*.test.ts', 'scripts/**/*.test.ts'] } },
];

if (process.env.KATA_VERIFY) {
  // Only verify needs the known-wrong solutions, so a learner's copy without fixtures/wrong/ still runs
  // its tests: the module is loaded here, at run time (through tsx, for it is TypeScript), and not
  // bundled into the config up front.
  const { tsImport } = await import('tsx/esm/api');
  const { applyEdits, wrongSolutions } = (await tsImport('./fixtures/wrong/index.ts', import.meta.url)) as typeof import('./fixtures/wrong/index.ts');
  projects.push(treeProject('skeletons', 'skeletons'));
  for (const wrong of wrongSolutions()) {
    applyEdits(wrong);
    const project = treeProject(wrong.target, wrong.target, [`exercises/${wrong.exercise}/**/*.test.ts`]);
    project.test!.env!.KATA_ONLY_TESTS = JSON.stringify(wrong.mustFail);
    projects.push(project);
  }
}

export default defineConfig({
  test: {
    projects,
    setupFiles: ['./fixtures/harness/setup.ts'],
    // The exercise tests mostly wait on child processes and sockets, not on the CPU: run several
    // files at once (vitest's default, one fewer than the cores, is one at a time on 2 cores). Six
    // holds every file of one exercise (07 has six), so a short one never waits for a long one.
    maxWorkers: Math.max(6, availableParallelism()),
    // The tests of a file that share nothing run at once (concurrentTest). Most of their time is spent
    // waiting on a server, so all of them start together: under vitest's default of 5 at a time, the
    // longest tests, defined last, waited for the short ones and made the file longer by a second.
    maxConcurrency: 32,
    // Keeps the transformed modules in node_modules/.experimental-vitest-cache between runs (keyed by
    // their content and the project's plugins, so each tree gets its own): 0.2 s of a 3 s run.
    experimental: { fsModuleCache: true },
    testTimeout: 20_000,
    hookTimeout: 20_000,
    teardownTimeout: 5_000,
  },
});
