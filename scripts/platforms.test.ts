/**
 * The README's "Where it runs", the GitHub workflow, `.ci/other-nodes` and the dev container say the
 * same thing, and the files parse: a workflow that does not parse fails on GitHub without a word here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../fixtures/command-line.ts';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Workflow {
  jobs: Record<string, { strategy: { matrix: { os: string[]; node: number[] } }; steps: Array<{ run?: string }> }>;
}

const workflow = parse(read('.github/workflows/ci.yml')) as Workflow;
const job = Object.values(workflow.jobs)[0]!;
const whereItRuns = /## Where it runs\n([\s\S]*?)\n## /.exec(read('README.md'))?.[1] ?? '';

describe('platforms: README, workflow, CI and dev container agree', () => {
  test('the workflow runs npm ci and npm run verify on Linux x86_64, Linux arm64 and macOS', () => {
    expect(job.strategy.matrix.os).toEqual(['ubuntu-latest', 'ubuntu-24.04-arm', 'macos-latest']);
    const commands = job.steps.map((step) => step.run).filter(Boolean);
    expect(commands).toContain('npm ci --no-audit --no-fund');
    expect(commands).toContain('npm run verify');
  });

  test('every system of the workflow, and every Node version, is in the README', () => {
    expect(whereItRuns, 'README.md must have a "## Where it runs" section').not.toBe('');
    for (const os of job.strategy.matrix.os) expect(whereItRuns, `README.md's "Where it runs" names ${os}`).toContain(`\`${os}\``);
    for (const node of job.strategy.matrix.node) expect(whereItRuns, `README.md's "Where it runs" names Node ${node}`).toMatch(new RegExp(`\\b${node}\\b`));
  });

  test('.ci/other-nodes tests the Node versions the workflow does, beside the machine\'s own', () => {
    const majors = /for major in ([\d ]+); do/.exec(read('.ci/other-nodes'))?.[1]?.trim().split(/\s+/).map(Number);
    expect(majors, '.ci/other-nodes: a `for major in … ; do` loop').toBeDefined();
    expect(job.strategy.matrix.node).toEqual(expect.arrayContaining(majors!));
    expect(read('.ci/run'), '.ci/run calls .ci/other-nodes').toContain('.ci/other-nodes');
  });

  test('the dev container is Debian with Node 20, installs Chromium and curl, and runs npm install', () => {
    const container = JSON.parse(read('.devcontainer/devcontainer.json')) as { image: string; postCreateCommand: string };
    expect(container.image).toMatch(/javascript-node:20-bookworm$/);
    for (const part of ['chromium', 'curl', 'npm install']) expect(container.postCreateCommand).toContain(part);
    expect(whereItRuns).toContain('dev container');
  });
});
