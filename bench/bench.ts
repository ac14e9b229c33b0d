/**
 * `npm run bench`: what each loop of the pack costs, beside Node's own loop and Python's.
 *
 *   1. the FFI: nanoseconds per call through koffi, beside a plain JavaScript call
 *   2. throughput: C clients play 64-byte ping-pong with each server; requests/s, as a ratio to Node's
 *      `net` echo server measured in the same round (rounds interleave the servers, so drift cancels)
 *      (echo.ts)
 *   3. C10K: one client's round trip while K idle connections are held open, for select, poll and epoll
 *      (echo.ts)
 *   4. the web servers: 08 (the 00 app on your 07 loop, a coroutine per connection) and 10 (the same app
 *      as a protocol) against Node's `http`, keep-alive GET / (web.ts)
 *   5. CPU-bound work: 09's fast requests per second, inline and with a worker pool, alone and beside
 *      a client that keeps asking for a large fib (cpu-bound.ts)
 *
 * Options: --quick (a smoke run of a few seconds, written to the temp dir), --mine NN (your
 * exercises/NN echo server beside the reference; with 10, its web server too), --rounds N, --profile ID (where one server's time goes,
 * see profile.ts). Full runs write bench/results/ (report.ts).
 *
 * A run is a plan (`planRun`, from the command line), its measuring (`measure`: a section after the
 * other, each with its own file), and its report (`report`: the tables, the files, the exit code).
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { commandLine, count, flag, ROOT, UsageError, value, wholeNumber } from '../fixtures/command-line.ts';
import { measureCpuBound, type CpuBoundPlan } from './cpu-bound.ts';
import {
  C10k,
  c10kServers,
  CLIENT_CORE,
  ECHO_EXERCISES,
  measureThroughput,
  SERVER_CORE,
  startAll,
  summarizeThroughput,
  throughputServers,
  type EchoChoice,
  type EchoPlan,
} from './echo.ts';
import { measureFfi } from './ffi.ts';
import { fileLimits, killAll, LoadGenerator, Server } from './processes.ts';
import { profileServer } from './profile.ts';
import { failures, loadAverage, machine, printFfi, printMachine, printTables, writeFiles, writeReport, type Results } from './report.ts';
import { hasWrk, measureWeb, webServers, WRK_NOTE, type WebPlan } from './web.ts';

// ---------------------------------------------------------------------------------------------
// The plan: what to run, from the command line

const OPTIONS = {
  quick: flag(),
  mine: value({
    placeholder: 'NN',
    accepts: `an echo exercise: ${ECHO_EXERCISES.join(', ')} (10: its web server too; the full run measures 08's and 09's references)`,
    read: (text) => (ECHO_EXERCISES.includes(text.padStart(2, '0')) ? text.padStart(2, '0') : undefined),
  }),
  rounds: value({ placeholder: 'N', accepts: 'a whole number ≥ 1', read: (text) => wholeNumber(text, 1) }),
  redraw: flag(),
  profile: value({ placeholder: 'ID', accepts: 'a server id', read: (text) => text }),
  conns: count(50, 1),
  help: flag(),
};

const HELP = `npm run bench                      the full run (under 3 minutes); writes bench/results/
npm run bench -- --quick           a smoke run of a few seconds
npm run bench -- --mine NN         your exercises/NN echo server beside the reference (10: and your web server)
npm run bench -- --rounds N        N interleaved rounds instead of 5
npm run bench -- --redraw          the charts and summary.md again, from bench/results/results.json
npm run bench -- --profile ID [--conns C]
                                   where one server's time goes, under C clients (default 50);
                                   ID is one of the server ids in results.json (e.g. 03-epoll, yours 02-select with --mine 02)`;

/**
 * Everything a run is to do. Sections 4 and 5, the servers of 08, 10 and 09, run fewer, longer rounds (wrk
 * measures whole seconds); section 4 five of them, as one web server's figure moves by ±8 % from a round to the next.
 */
interface Run extends EchoChoice {
  echo: EchoPlan;
  web: WebPlan;
  cpu: CpuBoundPlan;
  /** What the run could not do as planned, said at the end and kept in results.json. */
  notes: string[];
}

function planRun({ quick, mine, rounds }: { quick: boolean; mine?: string; rounds?: number }): Run {
  const echo: EchoPlan = quick
    ? { rounds: rounds ?? 1, conns: [1, 50], warmupMs: 50, measureMs: 150, levels: [10, 100], rttRounds: 1, rttMs: 100, rampMs: 10_000 }
    : { rounds: rounds ?? 5, conns: [1, 50, 500], warmupMs: 100, measureMs: 300, levels: [10, 100, 300, 900, 1000, 3000, 10_000], rttRounds: 5, rttMs: 150, rampMs: 40_000 };
  return {
    quick,
    ...(mine && { mine }),
    echo,
    web: { conns: 50, rounds: quick ? 1 : 5, seconds: quick ? 1 : 2, serverCore: SERVER_CORE, clientCore: CLIENT_CORE },
    cpu: { rounds: quick ? 1 : 3, ms: quick ? 300 : 1000, largeN: 30 },
    notes: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Measuring

/** Every section in turn, a line of progress as each goes; the figures, and what they ran on. */
async function measure(run: Run): Promise<Results> {
  const started = Date.now();
  const info = machine();
  printMachine(info, run.quick);
  console.log('\n── 1. the FFI: ns per call');
  const ffi = measureFfi(run.quick);
  printFfi(ffi);
  const servers = await measureServers(run);
  return {
    when: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 100) / 10,
    quick: run.quick,
    plan: run.echo,
    machine: { ...info, loadAverageAtEnd: loadAverage() },
    ffi,
    ...servers,
    notes: run.notes,
  };
}

/**
 * Sections 2 to 5, on servers: the echo servers first, then the applications, once every process of the
 * echo sections is gone, and with it section 3's 10,000 idle connections.
 */
async function measureServers(run: Run): Promise<Pick<Results, 'throughput' | 'c10k' | 'web' | 'cpuBound'>> {
  const echo = await measureEchoServers(run);
  const loadgen = new LoadGenerator(CLIENT_CORE);
  try {
    return { ...echo, ...(await measureApps(run, loadgen)) };
  } finally {
    loadgen.stop();
  }
}

/**
 * Sections 2 and 3. Every echo server and load generator starts at once: the idle ones wait in the
 * kernel and cost nothing while the others are measured, and nobody waits for a start-up twice.
 */
async function measureEchoServers(run: Run): Promise<Pick<Results, 'throughput' | 'c10k'>> {
  const specs = throughputServers(run, run.notes);
  const c10kSpecs = c10kServers(run, run.notes);
  const loadgen = new LoadGenerator(CLIENT_CORE);
  // One load generator per C10K server: each holds up to 10,000 connections, under its own fd limit.
  const c10kLoadgens = new Map(c10kSpecs.map((s) => [s.id, new LoadGenerator(CLIENT_CORE)]));
  const [servers, c10kStarted] = await Promise.all([startAll(specs), startAll(c10kSpecs)]);
  try {
    console.log(`\n── 2. throughput: 64-byte ping-pong, ${run.echo.rounds} interleaved round(s) of ${run.echo.measureMs} ms per server and C`);
    const cells = await measureThroughput(run.echo, specs, servers, loadgen);
    const c10k = await measureC10k(run, new C10k(run.echo, c10kSpecs, c10kStarted, c10kLoadgens));
    const labels = new Map(c10kSpecs.map((s) => [s.id, s.label]));
    return {
      throughput: summarizeThroughput(run.echo, specs, cells),
      c10k: [...c10k].map(([id, r]) => ({ id, label: labels.get(id)!, ...r })),
    };
  } finally {
    for (const generator of [loadgen, ...c10kLoadgens.values()]) generator.stop();
    for (const server of [...servers.values(), ...c10kStarted.values()]) if (server instanceof Server) server.stop();
  }
}

async function measureC10k(run: Run, c10k: C10k): Promise<C10k['results']> {
  if (!c10k.specs.length) {
    run.notes.push('C10K skipped: solutions/03-selectors/server.ts (with --selector select|poll|epoll) is not there yet');
    return c10k.results;
  }
  console.log(`\n── 3. C10K: one client's round trip with K idle connections (median of ${run.echo.rttRounds} window(s) of ${run.echo.rttMs} ms)`);
  return c10k.measure(fileLimits().hard, run.notes);
}

/**
 * Sections 4 and 5: the web servers of 08 and 10, the CPU-bound work of 09. With `--mine`, only what
 * measures yours: section 4 for `--mine 10` (its reference and yours), nothing for the others.
 */
async function measureApps(run: Run, loadgen: LoadGenerator): Promise<Pick<Results, 'web' | 'cpuBound'>> {
  if (run.mine && run.mine !== '10') return { cpuBound: [] };
  console.log(`\n── 4. the web servers: keep-alive GET /, C = ${run.web.conns}, ${run.web.rounds} interleaved round(s) of ${run.web.seconds} s`);
  if (!hasWrk) run.notes.push(WRK_NOTE);
  const web = await measureWeb(run.web, webServers(run.mine), loadgen);
  if (run.mine) return { web, cpuBound: [] };
  console.log(`\n── 5. CPU-bound work: fast requests/s, ${run.cpu.rounds} round(s) of ${run.cpu.ms} ms`);
  return { web, cpuBound: await measureCpuBound(run.cpu) };
}

// ---------------------------------------------------------------------------------------------
// The report, and the other things the bench does

/** The tables, the files, and exit code 1 if a figure could not be taken. */
function report(run: Run, results: Results): void {
  printTables(results);
  const out = run.quick ? join(tmpdir(), 'async-ground-up-bench') : join(ROOT, 'bench/results');
  writeFiles(out, results);
  console.log(`\nbench took ${results.seconds} s; figures and charts in ${out.startsWith(ROOT) ? relative(ROOT, out) : out}/ (results.json, summary.md, throughput.svg, c10k.svg, ffi.svg)`);
  const failed = failures(results);
  if (!failed.length) return;
  console.log(`\n${failed.length} figure(s) could not be taken:`);
  for (const failure of failed) console.log(`   ✗ ${failure}`);
  const mineFailed =
    results.throughput.some((r) => r.kind === 'mine' && Object.values(r.byConns).some((c) => c.rps === undefined)) ||
    (results.web?.servers ?? []).some((r) => r.kind === 'mine' && r.rps === undefined);
  if (run.mine && mineFailed) {
    console.log(`   Your server must pass its tests before it can be measured: npm test -- exercises/${run.mine}`);
  }
  process.exitCode = 1;
}

/** `--redraw`: the charts and summary.md again, from the figures of the last full run (after a change to svg.ts). */
function redraw(): void {
  const out = join(ROOT, 'bench/results');
  writeReport(out, JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results);
  console.log('bench/results: charts and summary.md redrawn from results.json');
}

/** `--profile ID`: where one server's time goes, under `conns` clients. */
async function profile(run: Run, id: string, conns: number): Promise<void> {
  const specs = throughputServers(run, run.notes);
  const spec = specs.find((s) => s.id === id);
  if (!spec) throw new UsageError(`--profile ${JSON.stringify(id)}`, `one of the server ids: ${specs.map((s) => s.id).join(', ')}`);
  const info = machine();
  console.log(`profile of ${spec.label} (${info.cpu}, ${info.cores} cores, Node ${info.node})`);
  await profileServer(spec.label, spec.command, conns, join(tmpdir(), `bench-${spec.id.replace(/\W+/g, '-')}.cpuprofile`), { server: SERVER_CORE, client: CLIENT_CORE });
}

async function main(): Promise<void> {
  const { values } = commandLine(OPTIONS);
  if (values.help) return console.log(HELP);
  if (values.redraw) return redraw();
  const run = planRun(values);
  if (values.profile !== undefined) return profile(run, values.profile, values.conns);
  report(run, await measure(run));
}

try {
  await main();
} catch (error) {
  // A command line refused late (`--profile` of no such server) is a usage error too: exit code 2.
  console.error(error instanceof UsageError ? error.message : `bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
} finally {
  killAll();
}
