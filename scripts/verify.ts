/**
 * `npm run verify`: the pack checks itself, test by test.
 *
 *   1. both trees (and everything else) type-check under strict TypeScript
 *   2. the fixtures' own tests pass (the binding, the harness, the runner)
 *   3. every exercise test passes against the reference solution
 *   4. every exercise test FAILS against the skeleton as committed (a test that passes on the
 *      skeleton proves nothing)
 *   5. every known-wrong solution fails each test it names
 *   6. `npm run bench -- --quick` runs (a smoke run: it proves the bench works, and checks no figure)
 *   7. the skeleton rules (scripts/skeleton-rules.ts): no solution code in a skeleton's comments, the
 *      TODO budget, hints in hints.md (at least 3) and none in the README
 *   8. no function outside the tests is longer than 60 lines (scripts/function-lengths.ts)
 *
 * It ends with one line, `N passed, N failed`, counting every check, and exits non-zero on any failure.
 * `--worktree` takes the skeletons from the working tree instead of git's HEAD (for maintainers);
 * `--only NN` (repeatable) checks those exercises alone: their tests on every tree, their known-wrong
 * solutions and their skeleton rules, without the fixtures' tests, the function lengths and the bench (for
 * authors).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TestCase, TestModule } from 'vitest/node';
import { startVitest } from 'vitest/node';
import { commandLine, flag, ROOT, values } from '../fixtures/command-line.ts';
import { platform } from '../fixtures/native/platform.ts';
import { wrongSolutions, type WrongSolution } from '../fixtures/wrong/index.ts';
import { checkFunctionLengths, formatLength, MAX_LINES } from './function-lengths.ts';
import { checkPack, EXERCISE_NUMBER, exerciseFolder, MIN_HINTS, TODO_LINE_BUDGET } from './skeleton-rules.ts';

const OPTIONS = { worktree: flag(), only: values({ placeholder: 'NN', accepts: EXERCISE_NUMBER, read: (text) => exerciseFolder(text) }) };
const { worktree, only } = commandLine(OPTIONS).values;
let passed = 0;
let failed = 0;
/** Checks that need an optional system tool this machine lacks: counted and said, never hidden. */
const skipped: string[] = [];
const problems: string[] = [];

function tally(ok: boolean, problem: string): void {
  if (ok) passed++;
  else {
    failed++;
    problems.push(problem);
  }
}

function heading(text: string): void {
  console.log(`\n── ${text}`);
}

function typecheck(): void {
  heading('type-check (tsc --noEmit, strict)');
  const started = Date.now();
  const result = spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: ROOT, encoding: 'utf8' });
  const ok = result.status === 0;
  console.log(ok ? `   ok (${Date.now() - started} ms)` : result.stdout + result.stderr);
  tally(ok, 'type-check failed: run `npx tsc -p .` and fix what it reports');
}

/** `.skeletons/` holds the exercises as committed, where the `skeletons` target looks for them. */
function snapshotSkeletons(): void {
  const into = join(ROOT, '.skeletons');
  rmSync(into, { recursive: true, force: true });
  mkdirSync(into);
  const fromGit = !worktree && spawnSync('git', ['rev-parse', '--verify', '-q', 'HEAD'], { cwd: ROOT }).status === 0;
  if (fromGit) {
    const archive = execFileSync('git', ['archive', 'HEAD', 'exercises'], { cwd: ROOT, maxBuffer: 1 << 28 });
    execFileSync('tar', ['-x', '-C', into, '--strip-components=1'], { input: archive });
  } else {
    console.log(worktree ? '   (skeletons from the working tree)' : '   (no git HEAD: skeletons from the working tree)');
    cpSync(join(ROOT, 'exercises'), into, { recursive: true });
  }
}

function testsOf(modules: TestModule[], project: string): TestCase[] {
  return modules.filter((m) => m.project.name === project).flatMap((m) => [...m.children.allTests()]);
}

function where(test: TestCase): string {
  return `${relative(ROOT, test.module.moduleId)} > ${test.fullName}`;
}

function firstError(test: TestCase): string {
  const error = test.result().errors?.[0];
  return error ? `\n      ${String(error.message).split('\n').slice(0, 6).join('\n      ')}` : '';
}

function moduleErrors(modules: TestModule[], project: string): void {
  for (const module of modules.filter((m) => m.project.name === project)) {
    for (const error of module.errors()) {
      tally(false, `[${project}] ${relative(ROOT, module.moduleId)} could not run: ${error.message}`);
    }
  }
}

async function runSuites(): Promise<void> {
  process.env.KATA_VERIFY = '1';
  const wrong = wrongSolutions().filter((w) => !only.length || only.includes(w.exercise));
  const trees = only.length ? ['solutions', 'skeletons'] : ['fixtures', 'solutions', 'skeletons'];
  const projects = [...trees, ...wrong.map((w) => w.target)];
  heading(`tests: ${projects.length} projects (${trees.join(', ')}, ${wrong.length} known-wrong solutions)${only.length ? ` of ${only.join(', ')}` : ''}`);
  const modules = await runVitest(projects);
  for (const project of trees.filter((t) => t !== 'skeletons')) {
    counted(project === 'fixtures' ? 'fixtures and runner tests pass' : 'exercise tests pass on the solutions', () => expectPassing(modules, project));
  }
  counted('exercise tests fail on the shipped skeletons', () => expectSkeletonsFail(modules));
  counted('known-wrong solutions fail the tests they name', () => expectWrongFail(modules, wrong));
}

/** Runs the projects' tests at once; their modules, after saying how long it took and which files took longest. */
async function runVitest(projects: string[]): Promise<TestModule[]> {
  const started = Date.now();
  // Four files at once (their tests run at once inside each), whatever vitest.config.ts gives a
  // learner's run of one exercise; VERIFY_WORKERS overrides it.
  const workers = Number(process.env.VERIFY_WORKERS) || 4;
  const filters = only.map((folder) => `exercises/${folder}/`);
  const vitest = await startVitest('test', filters, { watch: false, project: projects, reporters: [{}], maxWorkers: workers });
  const modules = vitest.state.getTestModules();
  await vitest.close();
  console.log(`   ran in ${((Date.now() - started) / 1000).toFixed(1)} s, ${vitest.config.maxWorkers} files at a time; the slowest:`);
  const slowest = modules
    .map((m) => ({ name: `[${m.project.name}] ${relative(ROOT, m.moduleId)}`, ms: m.diagnostic().duration }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 5);
  for (const { name, ms } of slowest) console.log(`     ${(ms / 1000).toFixed(1).padStart(6)} s  ${name}`);
  return modules;
}

/** Runs a group of checks and prints its line: `label: N passed, N failed`. */
function counted(label: string, checks: () => void): void {
  const before = [passed, failed];
  checks();
  console.log(`   ${label}: ${passed - before[0]!} passed, ${failed - before[1]!} failed`);
}

/** Every test of the project passes (a test skipped for want of an optional tool is counted as skipped). */
function expectPassing(modules: TestModule[], project: string): void {
  moduleErrors(modules, project);
  for (const test of testsOf(modules, project)) {
    const result = test.result();
    const state = result.state;
    if (result.state === 'skipped' && result.note?.startsWith('optional tool missing:')) {
      skipped.push(`${where(test)}: ${result.note}`);
      continue;
    }
    tally(state === 'passed', `[${project}] ${where(test)} ${state === 'skipped' ? 'was skipped' : 'failed'}${firstError(test)}`);
  }
}

function expectSkeletonsFail(modules: TestModule[]): void {
  const skeletonResults = new Map(testsOf(modules, 'skeletons').map((t) => [where(t), t.result().state]));
  for (const test of testsOf(modules, 'solutions')) {
    const state = skeletonResults.get(where(test));
    // A test file that cannot even load on the skeleton fails all its tests: that counts as failing.
    tally(state !== 'passed', `[skeletons] ${where(test)} PASSES on the shipped skeleton: it proves nothing; make it fail until the exercise is solved`);
  }
}

function expectWrongFail(modules: TestModule[], wrong: WrongSolution[]): void {
  for (const w of wrong) {
    const results = new Map(testsOf(modules, w.target).map((t) => [t.fullName, t.result().state]));
    moduleErrors(modules, w.target);
    for (const name of w.mustFail) {
      const state = results.get(name);
      if (state === undefined) tally(false, `[${w.target}] names a test that does not exist: "${name}"`);
      else tally(state === 'failed', `[${w.target}] "${name}" passes on a known-wrong solution (${w.mistake}): the test does not catch that mistake`);
    }
  }
}

/** A skeleton states the contract; the steps are hints, out of sight until asked for. */
function skeletonRules(): void {
  heading(`skeleton rules (no solution code in comments, at most ${TODO_LINE_BUDGET} TODO lines, ${MIN_HINTS}+ hints in hints.md)`);
  const { reports, budget } = checkPack(ROOT, only);
  for (const { exercise, todoLines, hints, problems } of reports) {
    console.log(`   ${exercise.name.padEnd(18)} ${String(todoLines).padStart(3)} TODO lines, ${hints} hints${problems.length ? `, ${problems.length} problem(s)` : ''}`);
    tally(!problems.length, problems.join('\n   '));
  }
  if (!only.length) tally(!budget, budget ?? '');
}

/** Short functions named after what they do: none outside the tests is longer than MAX_LINES (scripts/function-lengths.ts). */
function functionLengths(): void {
  heading(`function lengths (none over ${MAX_LINES} lines outside the tests)`);
  const { over, allowed, stale, longest } = checkFunctionLengths();
  for (const f of allowed) console.log(`   allowed for now: ${formatLength(f)}`);
  const problems = [
    ...over.map((f) => `over ${MAX_LINES} lines: ${formatLength(f)}: split it, or run \`npx tsx scripts/function-lengths.ts\``),
    ...stale.map((key) => `${key} is allowed in scripts/function-lengths.ts but no longer over ${MAX_LINES} lines: take it off ALLOWED`),
  ];
  if (!problems.length && longest) console.log(`   ok; the longest: ${formatLength(longest)}`);
  tally(!problems.length, problems.join('\n   '));
}

/** Benchmarks are not tests: this only proves the bench still runs, whatever its figures. */
function benchSmoke(): void {
  heading('bench smoke run (npm run bench -- --quick)');
  if (!platform.epoll) {
    // The load generator drives its thousands of clients with epoll (bench/loadgen.ts): Linux's.
    skipped.push('bench smoke run: optional tool missing: epoll (the load generator runs on Linux only)');
    console.log('   skipped: the load generator needs epoll, which this system does not have');
    return;
  }
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bench/bench.ts', '--quick'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  const ok = result.status === 0;
  console.log(ok ? `   ok (${((Date.now() - started) / 1000).toFixed(1)} s)` : `${result.stdout}${result.stderr}`.trimEnd().split('\n').slice(-15).join('\n'));
  tally(ok, 'the bench smoke run failed: run `npm run bench -- --quick` and fix what it reports');
}

const started = Date.now();
typecheck();
skeletonRules();
if (!only.length) functionLengths();
snapshotSkeletons();
await runSuites();
if (!only.length) benchSmoke();
if (problems.length) {
  heading('problems');
  for (const problem of problems) console.log(` ✗ ${problem}`);
}
if (skipped.length) {
  heading('skipped: an optional tool is missing');
  for (const skip of skipped) console.log(` - ${skip}`);
}
console.log(`\nverify took ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed${skipped.length ? `, ${skipped.length} skipped` : ''}`);
for (const scratch of ['.skeletons', '.wrong']) rmSync(join(ROOT, scratch), { recursive: true, force: true });
process.exit(failed ? 1 : 0);
