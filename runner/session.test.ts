/**
 * The interactive runner, driven as a learner drives it: `npm start` in a pseudo-terminal (util-linux
 * `script`), keys typed into it, and a solution saved over the skeleton.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { expect, test } from 'vitest';
import { deferCleanup, until } from '../fixtures/harness/index.ts';
import { ROOT } from '../fixtures/harness/target.ts';
import { ANSWER_TEST, childEnv, HINTS, makePack, README, SKELETON, SOLVED } from './testing.ts';

const hasScript = spawnSync('script', ['--version']).status === 0;
if (!hasScript) console.warn('runner/session.test.ts: skipped: no `script` command (util-linux) to make a pseudo-terminal');

/** `npm start` in a pseudo-terminal: what it printed so far, and a way to type. */
function startInTerminal(root: string) {
  const command = `${process.execPath} --import tsx ${join(ROOT, 'runner/start.ts')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
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
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += stripVTControlCharacters(chunk.toString())));
  let exitCode: number | null | undefined;
  child.on('exit', (code) => (exitCode = code));
  return {
    type: (keys: string) => child.stdin.write(keys),
    output: () => output,
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

test.skipIf(!hasScript)(
  'in a terminal, npm start reruns the tests on a save and moves on once a save solves the exercise, past one solved ahead',
  async () => {
    const root = makePack({
      'exercises/01-first/README.md': README.replace('02 · second — the second exercise', '01 · first — the first exercise'),
      'exercises/01-first/hints.md': HINTS,
      'exercises/01-first/value.ts': SKELETON,
      'exercises/01-first/value.test.ts': ANSWER_TEST,
      'solutions/01-first/value.ts': SOLVED,
      'exercises/02-second/value.ts': SOLVED, // solved ahead of time: unchecked until 01 is solved
      'exercises/02-second/value.test.ts': ANSWER_TEST,
      'exercises/03-third/value.ts': SKELETON,
      'exercises/03-third/value.test.ts': ANSWER_TEST,
    });
    const runner = startInTerminal(root);

    let at = await runner.shows('0/3 solved');
    at = await runner.shows('01 · first — the first exercise', at);
    at = await runner.shows('Edit exercises/01-first/value.ts:1', at);
    at = await runner.shows('set answer to 42', at); // vitest's own report of the failing test
    at = await runner.shows('✗ 0/1 tests pass', at);

    runner.type('h');
    at = await runner.shows('hint 1 of 3 · 01-first: Where is `answer`?', at);
    runner.type('l');
    at = await runner.shows('· not yet  01-first  0/1 tests pass  ← next', at);
    at = await runner.shows('· not yet  02-second  not checked yet', at);

    writeFileSync(join(root, 'exercises/01-first/value.ts'), SOLVED);
    at = await runner.shows('✓ 01-first solved: every test passed after your save.', at);
    at = await runner.shows('Edit exercises/02-second/value.ts', at);
    at = await runner.shows('✓ 02-second was solved already: every test passes. On to the next one.', at);
    at = await runner.shows('2/3 solved', at);
    at = await runner.shows('Edit exercises/03-third/value.ts:1', at);
    at = await runner.shows('✗ 0/1 tests pass', at);

    runner.type('q');
    await until(() => runner.exitCode() !== undefined, 20_000, () => `npm start should end on q; it printed:\n${runner.output().slice(at)}`);
    expect(runner.exitCode()).toBe(0);
  },
  180_000,
);
