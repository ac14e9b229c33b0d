/**
 * The interactive runner, driven as a learner drives it: `npm start` in a pseudo-terminal of 40 rows
 * by 100 columns (`script`), keys typed into it, files saved and committed beside it.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { expect, test } from 'vitest';
import { deferCleanup, until } from '../fixtures/harness/index.ts';
import { ROOT } from '../fixtures/harness/target.ts';
import { ANSWER_TEST, childEnv, commitAll, commitAsLearner, HINTS, lastScreen, makePack, README, SKELETON, SOLVED, THREE_TESTS } from './testing.ts';

/**
 * The arguments that make `script` run `command` in a pseudo-terminal, printing what it prints as it
 * comes and logging nothing: util-linux's on Linux (-q quiet, -f flush, -e its exit code, -c the
 * command), the BSD one on macOS (`script -q FILE COMMAND...`, which writes through at once and exits
 * with the command's code). Undefined where there is no `script` to run.
 */
const scriptArgs: ((command: string) => string[]) | undefined =
  process.platform === 'darwin'
    ? (command) => ['-q', '/dev/null', '/bin/sh', '-c', command]
    : spawnSync('script', ['--version']).status === 0
      ? (command) => ['-qfec', command, '/dev/null']
      : undefined;
const hasScript = scriptArgs !== undefined;
if (!hasScript) console.warn('runner/session.test.ts: skipped: no `script` command (util-linux, or macOS\'s) to make a pseudo-terminal');

const ROWS = 40;
const COLUMNS = 100;

/** `npm start [args]` in a pseudo-terminal of ROWS × COLUMNS: what it printed so far, and a way to type. */
function startInTerminal(root: string, ...args: string[]) {
  const command = `stty rows ${ROWS} cols ${COLUMNS}; ${process.execPath} --import tsx ${join(ROOT, 'runner/start.ts')} ${args.join(' ')}`;
  const child = spawn('script', scriptArgs!(command), {
    cwd: ROOT,
    env: childEnv({ KATA_ROOT: root, TERM: 'xterm' }),
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  deferCleanup(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // it ended
    }
  });
  let raw = '';
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    raw += chunk.toString();
    output = stripVTControlCharacters(raw).replace(/\r\n/g, '\n'); // the terminal ends lines with CRLF
  });
  let exitCode: number | null | undefined;
  child.on('exit', (code) => (exitCode = code));
  return {
    type: (keys: string) => child.stdin.write(keys),
    output: () => output,
    /** The screen drawn last, as the terminal shows it. */
    screen: () => lastScreen(raw, COLUMNS),
    exitCode: () => exitCode,
    /** Waits until the output, from `from` on, contains `text`; returns where it ends. */
    async shows(text: string, from = 0, ms = 60_000): Promise<number> {
      await until(
        () => output.indexOf(text, from) !== -1 || exitCode !== undefined,
        ms,
        () => `npm start should have printed ${JSON.stringify(text)}; it printed:\n${output.slice(from)}`,
      );
      const at = output.indexOf(text, from);
      if (at === -1) throw new Error(`npm start ended (exit code ${exitCode}) before printing ${JSON.stringify(text)}:\n${output}`);
      return at + text.length;
    },
  };
}

/** A README for exercise NN whose task runs longer than a screen's share, as 00's does. */
function longReadme(title: string): string {
  const items = Array.from({ length: 12 }, (_, i) => `- item ${i + 1} of the task: \`value.ts\` must do one more thing, said in a line of prose.`);
  return `# ${title}\n\n## Your task\n\n${items.join('\n')}\n\n## What you have rebuilt\n\nA third answer.\n`;
}

test.skipIf(!hasScript)(
  'in a terminal, npm start -- 04 opens 04 on one screen of 40 rows; reset after a commit gives the shipped skeleton back; ' +
    'a number and Enter go to an exercise; the list checks what changed; a save that solves one shows what was rebuilt and moves on',
  async () => {
    const root = makePack({
      'exercises/01-first/README.md': README.replace('02 · second — the second exercise', '01 · first — the first exercise'),
      'exercises/01-first/hints.md': HINTS,
      'exercises/01-first/value.ts': SKELETON,
      'exercises/01-first/value.test.ts': ANSWER_TEST,
      'solutions/01-first/value.ts': SOLVED,
      'exercises/02-second/value.ts': SKELETON,
      'exercises/02-second/value.test.ts': ANSWER_TEST,
      'exercises/03-third/value.ts': SKELETON,
      'exercises/03-third/value.test.ts': ANSWER_TEST,
      'exercises/04-fourth/README.md': longReadme('04 · fourth — the fourth exercise'),
      'exercises/04-fourth/value.ts': SKELETON,
      'exercises/04-fourth/value.test.ts': THREE_TESTS,
    });
    commitAll(root); // the pack as shipped, by its maintainers
    writeFileSync(join(root, 'exercises/02-second/value.ts'), SOLVED); // solved ahead of time, with an editor and npm test

    // Started on a chosen exercise, by its name.
    const runner = startInTerminal(root, 'fourth');
    let at = await runner.shows('04 · fourth — the fourth exercise');
    at = await runner.shows('✗ 0/3 tests pass', at);
    await runner.shows('q quit', at);
    const first = runner.screen();
    expect(first.rows, `the first screen fits in ${ROWS} rows:\n${first.text}`).toBeLessThan(ROWS);
    expect(first.text).toContain('0/4 solved');
    expect(first.text).toContain('Edit exercises/04-fourth/value.ts:1');
    expect(first.text).toContain('- item 1 of the task');
    expect(first.text).toContain('… the whole task, and the idea behind it: read exercises/04-fourth/README.md');
    expect(first.text, 'the first failure whole').toMatch(/× the answer is 42, as Deep Thought[^\n]*\n {6}set answer to 42: the tests read it[^\n]*\n[^×]*\n {6}at exercises\/04-fourth\/value\.test\.ts:\d+/);
    expect(first.text, 'every failing test by name').toContain('× the answer is even, which matters');
    expect(first.text, 'every failing test by name').toContain('× the answer is more than forty');
    expect(first.text, 'vitest’s report is a key away').toContain('v: vitest');

    runner.type('v');
    at = await runner.shows('Test Files  1 failed (1)', at); // vitest's own report
    expect(readFileSync(join(root, '.kata/last-run.txt'), 'utf8')).toContain('FAIL');

    // The learner commits an attempt, then resets: the skeleton as shipped comes back, not the commit.
    writeFileSync(join(root, 'exercises/04-fourth/value.ts'), 'export const answer: number = 41;\n');
    commitAsLearner(root, 'my attempt at 04');
    at = await runner.shows('✗ 1/3 tests pass', at);
    runner.type('r');
    at = await runner.shows('Reset exercises/04-fourth to the shipped skeleton?', at);
    runner.type('y');
    at = await runner.shows('to the shipped version (git ', at);
    expect(readFileSync(join(root, 'exercises/04-fourth/value.ts'), 'utf8')).toBe(SKELETON);
    at = await runner.shows('✗ 0/3 tests pass', at);

    // Going to another exercise: its number, then Enter.
    runner.type('01\r');
    at = await runner.shows('01 · first — the first exercise', at);
    at = await runner.shows('Edit exercises/01-first/value.ts:1', at);
    at = await runner.shows('× the answer is 42\n      set answer to 42: expected +0 to be 42', at);
    runner.type('h');
    at = await runner.shows('hint 1 of 3 · 01-first: Where is `answer`?', at);

    // The list checks what changed since its last check: 02, solved out of order, counts.
    runner.type('l');
    at = await runner.shows('· not yet  01-first  0/1 tests pass  ← here', at);
    at = await runner.shows('· not yet  03-third  not started (the skeleton as shipped)', at);
    at = await runner.shows('· not yet  04-fourth  0/3 tests pass', at);
    at = await runner.shows('✓ solved   02-second  1/1 tests pass  checked', at);

    // The save that solves 01: what was rebuilt, then on to the next unsolved, 03, solved ahead meanwhile, and 04.
    writeFileSync(join(root, 'exercises/03-third/value.ts'), SOLVED);
    writeFileSync(join(root, 'exercises/01-first/value.ts'), SOLVED);
    at = await runner.shows('✓ 01-first solved: every test passed after your save.', at);
    at = await runner.shows('What you have rebuilt in 01-first', at);
    at = await runner.shows('The answer, as Deep Thought computed it', at);
    at = await runner.shows('Enter: on to 03-third', at);
    runner.type('\r');
    at = await runner.shows('✓ 03-third was solved already: every test passes. On to the next one.', at);
    at = await runner.shows('3/4 solved', at);
    at = await runner.shows('Edit exercises/04-fourth/value.ts:1', at);
    at = await runner.shows('✗ 0/3 tests pass', at);

    runner.type('q');
    await until(() => runner.exitCode() !== undefined, 20_000, () => `npm start should end on q; it printed:\n${runner.output().slice(at)}`);
    expect(runner.exitCode()).toBe(0);
  },
  180_000,
);

const inGit = spawnSync('git', ['rev-parse', '--verify', '-q', 'HEAD:exercises/00-web-app'], { cwd: ROOT }).status === 0;

test.skipIf(!hasScript || !inGit)('the first screen of the real 00 skeleton, as committed, fits in 40 rows: what to edit, in order, and its failures', async () => {
  // The pack itself, but for 00 as git's HEAD holds it (the learner's own 00 may be anything).
  const root = mkdtempSync(join(tmpdir(), 'kata-00-'));
  deferCleanup(() => rmSync(root, { recursive: true, force: true }));
  for (const name of ['node_modules', 'fixtures', 'solutions', 'vitest.config.ts', 'package.json', 'tsconfig.json']) symlinkSync(join(ROOT, name), join(root, name));
  mkdirSync(join(root, 'exercises'));
  execFileSync('tar', ['-x', '-C', root], { input: execFileSync('git', ['archive', 'HEAD', 'exercises/00-web-app'], { cwd: ROOT }) });

  const runner = startInTerminal(root, '00');
  let at = await runner.shows('00 · web-app');
  at = await runner.shows('tests pass', at);
  await runner.shows('q quit', at);
  const { text, rows } = runner.screen();
  expect(rows, `the first screen fits in ${ROWS} rows:\n${text}`).toBeLessThan(ROWS);
  expect(text, 'the files to edit, in the README’s order').toMatch(/Edit exercises\/00-web-app\/views\.ts:\d+, exercises\/00-web-app\/http\.ts:\d+,\s+exercises\/00-web-app\/server\.ts:\d+/);
  expect(text).toContain('read exercises/00-web-app/README.md');
  expect(text, 'the first failure whole, where it was thrown').toMatch(/✗ 0\/\d+ tests pass[\s\S]*× parseRequest [^\n]*\n {6}TODO\(00-web-app\): parseRequest\(\)[\s\S]*at exercises\/00-web-app\/http\.ts:\d+/);
  expect(text, 'one row per test, the same message said once').toMatch(/× parseRequest [^\n]* — the same/);
  expect(text, 'what does not fit is said').toMatch(/more failing in http\.test\.ts: v shows every one|server\.test\.ts — \d+ of \d+ fail/);
  runner.type('q');
  await until(() => runner.exitCode() !== undefined, 20_000, () => `npm start should end on q; it printed:\n${runner.output().slice(at)}`);
}, 120_000);
