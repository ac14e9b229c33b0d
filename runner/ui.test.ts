/**
 * `npm run ui`, checked in a real browser: the vitest UI on the learner's tree, loaded in headless
 * Chromium, shows every exercise's tests as a tree in curriculum order, and failing exercises as failed.
 *
 * Runs where Debian's `chromium` is installed (CHROMIUM_PATH overrides /usr/bin/chromium); skipped,
 * saying so, where it is not. The UI server and Chromium are stopped when the test ends, passed or not.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { expect, test } from 'vitest';
import { deferCleanup, until } from '../fixtures/harness/index.ts';
import { ROOT } from '../fixtures/harness/target.ts';
import { findExercises } from './exercises.ts';
import { childEnv } from './testing.ts';

/** The little of the DOM the checks read, run inside the page (this project's types have no DOM). */
type Page = { document: { body: { innerText: string } } };

/** The exercise the check runs from the UI: the model exercise, whose skeleton fails every test fast. */
const FAILING = 'exercises/01-blocking/server.test.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const found = existsSync(CHROMIUM);

/** A skip `npm run verify` counts as one, not as a failure: its note starts with `optional tool missing:`. */
const MISSING = `optional tool missing: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;

/** Where the UI listens, and how it is told not to open a browser. */
const SERVE = ['--api.host=127.0.0.1', '--api.port=0', '--open=false'];

/**
 * Starts the vitest UI on the learner's tree on a free loopback port (`node` with `args`); resolves
 * with the UI's address. `--standalone`: the UI lists the test files at once and runs what the test
 * asks it to run.
 */
async function startUi(args = ['node_modules/vitest/vitest.mjs', '--ui', '--watch', '--standalone', '--project', 'exercises', ...SERVE]): Promise<string> {
  const ui = spawn(process.execPath, args, { cwd: ROOT, env: childEnv({}), detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  // Its own process group: the UI server and the test workers it forked go together.
  deferCleanup(() => {
    try {
      process.kill(-ui.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  let output = '';
  ui.stdout.on('data', (chunk: Buffer) => (output += chunk));
  ui.stderr.on('data', (chunk: Buffer) => (output += chunk));
  let exited = false;
  ui.on('exit', () => (exited = true));
  const address = () => /UI started at (http:\/\/127\.0\.0\.1:\d+\/__vitest__\/)/.exec(stripVTControlCharacters(output))?.[1];
  await until(
    () => !!address() || exited,
    30_000,
    () => `vitest --ui did not say where it listens within 30 s. It printed:\n${output}`,
  );
  if (!address()) throw new Error(`vitest --ui exited before it started. It printed:\n${output}`);
  return address()!;
}

async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'],
    timeout: 30_000,
  });
  deferCleanup(() => browser.close());
  return browser;
}

test(
  `the vitest UI shows the exercises in curriculum order, and the failing ones as failed (in headless ${CHROMIUM})`,
  async (context) => {
    if (!found) return context.skip(MISSING);
    // The UI sorts by path: exercises in curriculum order, each one's test files by name.
    const files = findExercises(ROOT).flatMap((e) => e.tests.map((file) => relative(ROOT, file)).sort());
    expect(files.length, 'the pack has exercise tests').toBeGreaterThan(0);
    const [address, browser] = await Promise.all([startUi(), launchChromium()]);
    const page = await browser.newPage({ viewport: { width: 1200, height: 4000 } });
    page.setDefaultTimeout(30_000);
    await page.goto(address);

    const bodyText = () => page.locator('body').innerText();
    /** Waits (bounded) until `check` holds in the page; the failure shows what the page showed. */
    const shows = async (what: string, check: (arg: string[]) => boolean, arg: string[] = []) => {
      try {
        await page.waitForFunction(check, arg, { timeout: 90_000, polling: 100 });
      } catch {
        throw new Error(`The UI should show ${what} within 90 s; it shows:\n${(await bodyText()).slice(0, 2000)}`);
      }
    };

    // Every test file of every exercise is in the tree, one row per file, in curriculum order: 00, 01, 02, …
    await shows(
      `every exercise's test file (${files.join(', ')})`,
      (files) => files.every((file) => (globalThis as unknown as Page).document.body.innerText.includes(file)),
      files,
    );
    const shown = await bodyText();
    const positions = files.map((file) => shown.indexOf(file));
    expect(positions, `the UI lists the exercises in curriculum order:\n${files.join('\n')}`).toEqual([...positions].sort((a, b) => a - b));

    // Run the model exercise from the UI: as shipped, it fails, and the UI says so.
    const row = page.getByTestId('explorer-item').filter({ hasText: FAILING });
    await row.hover(); // the row's run button shows on hover
    await row.getByTestId('btn-run-test').click();
    await shows(`${FAILING} as failing (FAIL (1))`, () => /FAIL \(1\)/.test((globalThis as unknown as Page).document.body.innerText));
    await row.click();
    await shows(`the failing tests of ${FAILING} by name`, () => (globalThis as unknown as Page).document.body.innerText.includes('01-blocking: the blocking echo server'));
  },
  200_000,
);

test(`npm run ui -- 01 shows the tests of 01 alone (in headless ${CHROMIUM})`, async (context) => {
  if (!found) return context.skip(MISSING);
  const [address, browser] = await Promise.all([startUi(['--import', 'tsx', 'runner/ui.ts', '01', ...SERVE]), launchChromium()]);
  const page = await browser.newPage({ viewport: { width: 1200, height: 2000 } });
  await page.goto(address);
  const mine = 'exercises/01-blocking/server.test.ts';
  try {
    await page.waitForFunction((file) => (globalThis as unknown as Page).document.body.innerText.includes(file), mine, { timeout: 60_000, polling: 100 });
  } catch {
    throw new Error(`The UI should list ${mine} within 60 s; it shows:\n${(await page.locator('body').innerText()).slice(0, 2000)}`);
  }
  const shown = await page.locator('body').innerText();
  const others = findExercises(ROOT).flatMap((e) => e.tests.map((file) => relative(ROOT, file))).filter((file) => !file.startsWith('exercises/01-'));
  expect(others.filter((file) => shown.includes(file)), 'no other exercise’s test file').toEqual([]);
}, 120_000);
