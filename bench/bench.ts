/**
 * `npm run bench`: what each loop of the pack costs, beside Node's own loop and Python's.
 *
 *   1. the FFI: nanoseconds per call through koffi, beside a plain JavaScript call
 *   2. throughput: C clients play 64-byte ping-pong with each server; requests/s, as a ratio to Node's
 *      `net` echo server measured in the same round (rounds interleave the servers, so drift cancels)
 *   3. C10K: one client's round trip while K idle connections are held open, for select, poll and epoll
 *   4. the web server: 08 (the 00 app on your 07 loop) against Node's `http`, keep-alive GET / (web.ts)
 *   5. CPU-bound work: 09's fast requests per second, inline and with a worker pool, alone and beside
 *      a client that keeps asking for a large fib (cpu-bound.ts)
 *
 * Options: --quick (a smoke run of a few seconds, written to the temp dir), --mine NN (your
 * exercises/NN server beside the reference), --rounds N, --profile ID (where one server's time goes,
 * see profile.ts). Full runs write bench/results/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { ROOT } from '../fixtures/harness/target.ts';
import { canPin, fileLimits, killAll, LoadGenerator, Server } from './processes.ts';
import { measureCpuBound, type CpuBoundCase } from './cpu-bound.ts';
import { measureFfi } from './ffi.ts';
import { profileServer } from './profile.ts';
import { median, round2 } from './stats.ts';
import { barChart, formatNumber, logBars, logLogChart } from './svg.ts';
import { hasWrk, measureWeb, WRK_NOTE, type WebFigures } from './web.ts';

// ---------------------------------------------------------------------------------------------
// What to run

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const mineArg = argv.includes('--mine') ? argv[argv.indexOf('--mine') + 1] : undefined;
const roundsArg = argv.includes('--rounds') ? Number(argv[argv.indexOf('--rounds') + 1]) : undefined;
if (mineArg && !['02', '03', '04', '07'].includes(mineArg.padStart(2, '0'))) {
  console.error(`--mine ${mineArg}: only the echo servers (02, 03, 04, 07) can be measured beside the reference; the full run measures 08 and 09's references`);
  process.exit(1);
}
const profileArg = argv.includes('--profile') ? argv[argv.indexOf('--profile') + 1] : undefined;
const connsArg = argv.includes('--conns') ? Number(argv[argv.indexOf('--conns') + 1]) : 50;
if (argv.includes('--help')) {
  console.log(`npm run bench                      the full run (under 3 minutes); writes bench/results/
npm run bench -- --quick           a smoke run of a few seconds
npm run bench -- --mine NN         your exercises/NN server beside the reference
npm run bench -- --rounds N        N interleaved rounds instead of 5
npm run bench -- --redraw          the charts and summary.md again, from bench/results/results.json
npm run bench -- --profile ID [--conns C]
                                   where one server's time goes, under C clients (default 50);
                                   ID is one of the server ids in results.json (e.g. 03-epoll, yours 02-select with --mine 02)`);
  process.exit(0);
}

const plan = quick
  ? { rounds: roundsArg ?? 1, conns: [1, 50], warmupMs: 50, measureMs: 150, levels: [10, 100], rttRounds: 1, rttMs: 100, rampMs: 10_000 }
  : { rounds: roundsArg ?? 5, conns: [1, 50, 500], warmupMs: 100, measureMs: 300, levels: [10, 100, 300, 900, 1000, 3000, 10_000], rttRounds: 5, rttMs: 150, rampMs: 40_000 };
/** Sections 4 and 5, the servers of 08 and 09: fewer, longer rounds (wrk measures whole seconds). */
const webPlan = { conns: 50, rounds: quick ? 1 : 3, seconds: quick ? 1 : 2, serverCore: 0, clientCore: 1 };
const cpuPlan = { rounds: quick ? 1 : 3, ms: quick ? 300 : 1000, largeN: 30 };

const SERVER_CORE = 0;
const CLIENT_CORE = 1;

type Kind = 'baseline' | 'peer' | 'pack' | 'mine';
interface Spec {
  id: string;
  label: string;
  kind: Kind;
  command: string[];
  /** For the C10K part: which selector this server waits with. */
  selector?: 'select' | 'poll' | 'epoll';
}

const tsx = (file: string, ...args: string[]) => [process.execPath, '--import', 'tsx', file, '--port', '0', ...args];
const hasPython = spawnSync('python3', ['--version']).status === 0;
const notes: string[] = [];

/** The reference servers that exist in this checkout (02, 03 with each selector, 04, 07). */
function packServers(tree: 'solutions' | 'exercises', number?: string): Spec[] {
  const folder = (nn: string) => readdirSync(join(ROOT, tree)).find((name) => name.startsWith(`${nn}-`));
  const file = (nn: string) => {
    const name = folder(nn);
    const path = name && join(tree, name, 'server.ts');
    return path && existsSync(join(ROOT, path)) ? path : undefined;
  };
  const specs: Spec[] = [];
  const prefix = tree === 'exercises' ? 'yours ' : '';
  const kind: Kind = tree === 'exercises' ? 'mine' : 'pack';
  for (const nn of number ? [number] : ['02', '03', '04', '07']) {
    const path = file(nn);
    if (!path) {
      if (!number) notes.push(`${tree}/${nn}-*/server.ts is not there yet: skipped`);
      continue;
    }
    const name = folder(nn)!;
    if (nn === '03') {
      for (const selector of ['select', 'poll', 'epoll'] as const) {
        specs.push({ id: `${prefix}03-${selector}`, label: `${prefix}03 ${selector}`, kind, command: tsx(path, '--selector', selector), selector });
      }
    } else {
      specs.push({ id: `${prefix}${name}`, label: `${prefix}${name}`, kind, command: tsx(path), ...(nn === '02' && { selector: 'select' as const }) });
    }
  }
  return specs;
}

function throughputServers(): Spec[] {
  const specs: Spec[] = [
    { id: 'node-net', label: 'Node net', kind: 'baseline', command: [process.execPath, 'bench/peers/node-net.mjs', '--port', '0'] },
    { id: 'bare-epoll', label: 'bare TS epoll', kind: 'peer', command: tsx('bench/peers/bare-epoll.ts') },
  ];
  if (hasPython) {
    specs.push(
      { id: 'py-asyncio', label: 'Python asyncio', kind: 'peer', command: ['python3', 'bench/peers/asyncio_echo.py', '--port', '0'] },
      { id: 'py-selectors', label: 'Python selectors', kind: 'peer', command: ['python3', 'bench/peers/selectors_echo.py', '--port', '0'] },
    );
  } else notes.push('python3 is not on this machine: the Python peers are skipped');
  const pack = packServers('solutions');
  if (mineArg) {
    const mine = packServers('exercises', mineArg.padStart(2, '0'));
    if (!mine.length) throw new Error(`--mine ${mineArg}: no exercises/${mineArg}-*/server.ts to run`);
    specs.push(...pack, ...mine);
  } else specs.push(...pack);
  // The smoke run: the baseline, one reference server, and yours.
  if (quick) return specs.filter((s) => s.kind === 'baseline' || s.kind === 'mine' || s.id === pack[0]?.id);
  return specs;
}

// ---------------------------------------------------------------------------------------------
// Figures

function machine() {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const python = hasPython ? spawnSync('python3', ['--version'], { encoding: 'utf8' }).stdout.trim() : null;
  return {
    cpu: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: `${process.platform} ${release()}`,
    python,
    pinned: canPin ? `servers on core ${SERVER_CORE}, load generator on core ${CLIENT_CORE} (taskset)` : 'not pinned (no taskset, or one core)',
    openFiles: fileLimits(),
    /** Other work on the machine when the run began: the 1-minute load average, against the cores. */
    loadAverageAtStart: Math.round(loadavg()[0]! * 100) / 100,
  };
}

// ---------------------------------------------------------------------------------------------
// 2. Throughput

interface Cell {
  rps: number[];
  ratios: number[];
  p50us: number[];
  p99us: number[];
  error?: string;
}

async function startAll(specs: Spec[]): Promise<Map<string, Server | Error>> {
  const started = await Promise.allSettled(specs.map((s) => Server.start(s.label, s.command, SERVER_CORE)));
  return new Map(specs.map((s, i) => {
    const r = started[i]!;
    return [s.id, r.status === 'fulfilled' ? r.value : (r.reason as Error)];
  }));
}

async function measureThroughput(specs: Spec[], servers: Map<string, Server | Error>, loadgen: LoadGenerator): Promise<Map<string, Map<number, Cell>>> {
  const cells = new Map(specs.map((s) => [s.id, new Map(plan.conns.map((c) => [c, { rps: [], ratios: [], p50us: [], p99us: [] } as Cell]))]));
  for (const [id, server] of servers) {
    if (server instanceof Error) for (const cell of cells.get(id)!.values()) cell.error = server.message;
  }
  for (let round = 0; round < plan.rounds; round++) {
    const started = Date.now();
    for (const conns of plan.conns) {
      // Each round starts with a different server, so no server always runs first (or last).
      const order = specs.map((_, i) => specs[(i + round) % specs.length]!);
      const rps = new Map<string, number>();
      for (const spec of order) {
        const server = servers.get(spec.id)!;
        const cell = cells.get(spec.id)!.get(conns)!;
        if (server instanceof Error || cell.error) continue;
        const answer = await loadgen.ask<{ rps: number; p50: number; p99: number }>(
          { op: 'echo', port: server.port, conns, ms: plan.measureMs, warmupMs: plan.warmupMs },
          plan.warmupMs + plan.measureMs + 60_000,
        );
        if (!answer.ok) {
          cell.error = server.exitedWith ? `exited (${server.exitedWith}): ${server.lastError()}` : answer.error;
          continue;
        }
        rps.set(spec.id, answer.rps);
        cell.rps.push(answer.rps);
        cell.p50us.push(answer.p50);
        cell.p99us.push(answer.p99);
      }
      const baseline = rps.get('node-net');
      if (baseline) for (const [id, value] of rps) cells.get(id)!.get(conns)!.ratios.push(value / baseline);
    }
    console.log(`   round ${round + 1}/${plan.rounds} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  return cells;
}

// ---------------------------------------------------------------------------------------------
// 3. C10K

interface Level {
  k: number;
  p50us: number;
  p99us: number;
  windows: number;
  openMs: number;
}

async function measureC10k(
  specs: Spec[],
  servers: Map<string, Server | Error>,
  loadgens: Map<string, LoadGenerator>,
  hardLimit: number,
): Promise<Map<string, { levels: Level[]; stopped?: { k: number; error: string } }>> {
  const results = new Map(specs.map((s) => [s.id, { levels: [] as Level[], stopped: undefined as { k: number; error: string } | undefined }]));
  // Headroom for the process's own files (Node holds ~25) and the active connection.
  const maxK = hardLimit - 100;
  for (const [id, server] of servers) if (server instanceof Error) results.get(id)!.stopped = { k: 0, error: server.message };
  for (const wanted of plan.levels) {
    const k = Math.min(wanted, maxK);
    if (k < wanted) notes.push(`C10K: the hard limit on open files (${hardLimit}) stops K at ${k} instead of ${wanted}`);
    const live = specs.filter((s) => !results.get(s.id)!.stopped);
    const opened = new Map<string, number>();
    for (const spec of live) {
      const server = servers.get(spec.id) as Server;
      // Bounded: a server that pays for every open connection on every turn also pays to accept each
      // new one, and opening thousands can take minutes. That is the C10K problem too; it is reported.
      const answer = await loadgens.get(spec.id)!.ask<{ ms: number }>({ op: 'idle', port: server.port, k, withinMs: plan.rampMs }, plan.rampMs + 30_000);
      if (!answer.ok) {
        await new Promise((resolve) => setTimeout(resolve, 100)); // let a crashed server's last words arrive
        const error = server.exitedWith ? `${server.lastError()}` : answer.error;
        results.get(spec.id)!.stopped = { k, error };
        console.log(`   ${spec.label}: stopped at K = ${k}: ${error}`);
      } else opened.set(spec.id, answer.ms);
    }
    const windows = new Map<string, { p50: number[]; p99: number[] }>();
    for (let round = 0; round < plan.rttRounds; round++) {
      const order = live.map((_, i) => live[(i + round) % live.length]!);
      for (const spec of order) {
        if (results.get(spec.id)!.stopped) continue;
        const server = servers.get(spec.id) as Server;
        const answer = await loadgens.get(spec.id)!.ask<{ p50: number; p99: number; samples: number }>({ op: 'rtt', port: server.port, ms: plan.rttMs }, 60_000);
        if (!answer.ok || answer.samples === 0) {
          results.get(spec.id)!.stopped = { k, error: answer.ok ? 'no round trip completed' : answer.error };
          continue;
        }
        const w = windows.get(spec.id) ?? { p50: [], p99: [] };
        w.p50.push(answer.p50);
        w.p99.push(answer.p99);
        windows.set(spec.id, w);
      }
    }
    for (const [id, w] of windows) {
      if (results.get(id)!.stopped) continue;
      results.get(id)!.levels.push({ k, p50us: median(w.p50), p99us: median(w.p99), windows: w.p50.length, openMs: opened.get(id) ?? 0 });
    }
    const shown = live.map((s) => {
      const level = results.get(s.id)!.levels.find((l) => l.k === k);
      return `${s.label} ${level ? `${level.p50us} µs` : '—'}`;
    });
    console.log(`   K = ${k}: ${shown.join(', ')}`);
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// The run

/**
 * Why a selector's C10K line ends: select() refuses an fd past FD_SETSIZE, and a server that scans
 * every connection on every turn can take longer to accept thousands more than the run allows. Both
 * are the lesson, not failures of the bench.
 */
function stopWord(error: string): 'refused' | 'too slow' | 'failed' {
  if (/FD_SETSIZE/.test(error)) return 'refused';
  if (/new connections within/.test(error)) return 'too slow';
  return 'failed';
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

async function main(): Promise<void> {
  if (argv.includes('--redraw')) {
    // The charts and summary.md again, from the figures of the last full run (after a change to svg.ts).
    const out = join(ROOT, 'bench/results');
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results & { seconds: number };
    writeCharts(out, results);
    writeFileSync(join(out, 'summary.md'), summaryMarkdown(results));
    console.log('bench/results: charts and summary.md redrawn from results.json');
    return;
  }
  const started = Date.now();
  const info = machine();
  if (profileArg) {
    const spec = throughputServers().find((s) => s.id === profileArg);
    if (!spec) throw new Error(`--profile ${profileArg}: no such server; the ids are ${throughputServers().map((s) => s.id).join(', ')}`);
    console.log(`profile of ${spec.label} (${info.cpu}, ${info.cores} cores, Node ${info.node})`);
    await profileServer(spec.label, spec.command, connsArg, join(tmpdir(), `bench-${spec.id.replace(/\W+/g, '-')}.cpuprofile`), { server: SERVER_CORE, client: CLIENT_CORE });
    return;
  }
  console.log(`bench${quick ? ' --quick' : ''}: ${info.cpu}, ${info.cores} cores, Node ${info.node}, ${info.kernel}${info.python ? `, ${info.python}` : ''}`);
  console.log(`   ${info.pinned}; open files: soft ${info.openFiles.soft}, hard ${info.openFiles.hard}; load average ${info.loadAverageAtStart}`);
  if (info.loadAverageAtStart > info.cores) console.log(`   (the machine is busy with other work: absolute figures will be low, ratios less so)`);

  console.log('\n── 1. the FFI: ns per call');
  const ffi = measureFfi(quick);
  const ffiRows: Array<[string, string]> = [
    ['jsCall', 'a plain JavaScript call'],
    ['koffiAbs', 'koffi: libc abs() (no syscall)'],
    ['getpid', 'koffi: getpid() (a syscall)'],
    ['recvEagain', 'koffi: recv() → EAGAIN'],
    ['socketRecvThrows', 'Socket.recv() → BlockingIOError'],
    ['copy64', 'Buffer.from(64 bytes)'],
  ];
  for (const [key, label] of ffiRows) console.log(`   ${pad(label, 36)} ${pad(String(ffi[key]), 9, true)} ns`);

  const specs = throughputServers();
  const allC10kSpecs = [...packServers('solutions').filter((s) => s.id.startsWith('03-')), ...(mineArg === '03' ? packServers('exercises', '03') : [])];
  const c10kSpecs = quick ? allC10kSpecs.filter((s) => s.selector === 'epoll') : allC10kSpecs;
  const limits = fileLimits();
  // Every server and load generator starts now, together: the idle ones wait in the kernel and cost
  // nothing while the others are measured, and nobody waits for a start-up twice.
  const loadgen = new LoadGenerator(CLIENT_CORE);
  // One load generator per C10K server: each holds up to 10,000 connections, under its own fd limit.
  const c10kLoadgens = new Map(c10kSpecs.map((s) => [s.id, new LoadGenerator(CLIENT_CORE)]));
  const [servers, c10kServers] = await Promise.all([startAll(specs), startAll(c10kSpecs)]);
  let cells: Map<string, Map<number, Cell>>;
  let c10k = new Map<string, { levels: Level[]; stopped?: { k: number; error: string } }>();
  let web: WebFigures | undefined;
  let cpuBound: CpuBoundCase[] = [];
  try {
    console.log(`\n── 2. throughput: 64-byte ping-pong, ${plan.rounds} interleaved round(s) of ${plan.measureMs} ms per server and C`);
    cells = await measureThroughput(specs, servers, loadgen);
    if (c10kSpecs.length) {
      console.log(`\n── 3. C10K: one client's round trip with K idle connections (median of ${plan.rttRounds} window(s) of ${plan.rttMs} ms)`);
      c10k = await measureC10k(c10kSpecs, c10kServers, c10kLoadgens, limits.hard);
    } else notes.push('C10K skipped: solutions/03-selectors/server.ts (with --selector select|poll|epoll) is not there yet');
    if (!mineArg) {
      console.log(`\n── 4. the web server: keep-alive GET /, C = ${webPlan.conns}, ${webPlan.rounds} interleaved round(s) of ${webPlan.seconds} s`);
      if (!hasWrk) notes.push(WRK_NOTE);
      web = await measureWeb(webPlan, loadgen);
      console.log(`\n── 5. CPU-bound work: fast requests/s, ${cpuPlan.rounds} round(s) of ${cpuPlan.ms} ms`);
      cpuBound = await measureCpuBound(cpuPlan);
    }
  } finally {
    for (const generator of [loadgen, ...c10kLoadgens.values()]) generator.stop();
    for (const server of [...servers.values(), ...c10kServers.values()]) if (server instanceof Server) server.stop();
  }

  // ── the tables
  console.log(`\n── throughput: req/s (median), × Node net (median of per-round ratios, min–max)`);
  const header = plan.conns.map((c) => pad(`C = ${c}`, 30)).join('');
  console.log(`   ${pad('server', 22)}${header}`);
  const summary: Results['throughput'] = specs.map((spec) => ({
    id: spec.id,
    label: spec.label,
    kind: spec.kind,
    byConns: Object.fromEntries(
      plan.conns.map((c) => {
        const cell = cells.get(spec.id)!.get(c)!;
        const asyncio = cells.get('py-asyncio')?.get(c);
        const vsAsyncio = asyncio?.rps.length && cell.rps.length ? median(cell.rps) / median(asyncio.rps) : null;
        const figures: CellSummary = cell.rps.length
            ? {
                rps: Math.round(median(cell.rps)),
                vsNode: round2(median(cell.ratios)),
                vsNodeMin: round2(Math.min(...cell.ratios)),
                vsNodeMax: round2(Math.max(...cell.ratios)),
                vsAsyncio: vsAsyncio === null ? null : round2(vsAsyncio),
                p50us: median(cell.p50us),
                p99us: median(cell.p99us),
                rounds: cell.rps,
                ...(cell.error && { error: cell.error }),
              }
            : { error: cell.error ?? 'no figure' };
        return [c, figures];
      }),
    ),
  }));
  for (const row of summary) {
    const shown = plan.conns.map((c) => {
      const cell = row.byConns[c]!;
      if (cell.rps === undefined) return pad('failed (see below)', 30);
      return pad(`${pad(formatNumber(cell.rps), 6, true)}  ${cell.vsNode!.toFixed(2)}× (${cell.vsNodeMin!.toFixed(2)}–${cell.vsNodeMax!.toFixed(2)})`, 30);
    });
    console.log(`   ${pad(row.label, 22)}${shown.join('')}`);
  }
  for (const row of summary) {
    for (const c of plan.conns) {
      const error = row.byConns[c]!.error;
      if (error) console.log(`   ! ${row.label}, C = ${c}: ${error}`);
    }
  }

  const c10kSummary = [...c10k].map(([id, r]) => ({ id, label: c10kSpecs.find((s) => s.id === id)!.label, ...r }));
  if (c10kSummary.length) {
    console.log(`\n── C10K: the active client's round trip, µs (median / p99) with K idle connections`);
    const ks = [...new Set(c10kSummary.flatMap((r) => r.levels.map((l) => l.k)))].sort((a, b) => a - b);
    console.log(`   ${pad('K', 12)}${ks.map((k) => pad(String(k), 14, true)).join('')}`);
    for (const row of c10kSummary) {
      const shown = ks.map((k) => {
        const level = row.levels.find((l) => l.k === k);
        if (level) return pad(`${Math.round(level.p50us)} / ${Math.round(level.p99us)}`, 14, true);
        return pad(row.stopped && row.stopped.k <= k ? (row.stopped.k === k ? stopWord(row.stopped.error) : '') : '—', 14, true);
      });
      console.log(`   ${pad(row.label, 12)}${shown.join('')}`);
      if (row.stopped) console.log(`     ${row.label} stopped at K = ${row.stopped.k}: ${row.stopped.error}`);
    }
  }
  if (web) {
    console.log(`\n── the web server: keep-alive GET /, C = ${web.conns}, ${web.client}: req/s (median)`);
    console.log(`   ${pad('08-async-web (--quiet)', 26)}${pad(formatNumber(web.ours), 8, true)}  ${web.ratio.toFixed(2)}× Node's http (${web.ratioMin.toFixed(2)}–${web.ratioMax.toFixed(2)})`);
    console.log(`   ${pad("Node's http", 26)}${pad(formatNumber(web.node), 8, true)}`);
  }
  if (cpuBound.length) {
    console.log(`\n── CPU-bound work: fib(1) requests/s from one client (median)`);
    for (const c of cpuBound) console.log(`   ${pad(c.label, 36)}${pad(formatNumber(c.rps), 8, true)}`);
  }
  for (const note of notes) console.log(`   note: ${note}`);

  // ── the files
  const out = quick ? join(tmpdir(), 'async-ground-up-bench') : join(ROOT, 'bench/results');
  mkdirSync(out, { recursive: true });
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  const results = { when: new Date().toISOString(), seconds, quick, plan, machine: { ...info, loadAverageAtEnd: Math.round(loadavg()[0]! * 100) / 100 }, ffi, throughput: summary, c10k: c10kSummary, web, cpuBound, notes };
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeCharts(out, results);
  writeFileSync(join(out, 'summary.md'), summaryMarkdown(results));
  console.log(`\nbench took ${seconds} s; figures and charts in ${out.startsWith(ROOT) ? relative(ROOT, out) : out}/ (results.json, summary.md, throughput.svg, c10k.svg, ffi.svg)`);
  // A figure that could not be taken is a failure (select refusing past FD_SETSIZE is the lesson, not one).
  const failures = [
    ...summary.flatMap((r) => Object.entries(r.byConns).filter(([, c]) => c.rps === undefined).map(([c, cell]) => `${r.label}, C = ${c}: ${cell.error}`)),
    ...c10kSummary.filter((r) => r.stopped && stopWord(r.stopped.error) === 'failed').map((r) => `C10K ${r.label} at K = ${r.stopped!.k}: ${r.stopped!.error}`),
  ];
  if (failures.length) {
    console.log(`\n${failures.length} figure(s) could not be taken:`);
    for (const failure of failures) console.log(`   ✗ ${failure}`);
    if (mineArg && summary.some((r) => r.kind === 'mine' && Object.values(r.byConns).some((c) => c.rps === undefined))) {
      console.log(`   Your server must pass its tests before it can be measured: npm test -- exercises/${mineArg}`);
    }
    process.exitCode = 1;
  }
}

interface CellSummary {
  rps?: number;
  vsNode?: number;
  vsNodeMin?: number;
  vsNodeMax?: number;
  vsAsyncio?: number | null;
  p50us?: number;
  p99us?: number;
  rounds?: number[];
  error?: string;
}

type Results = {
  ffi: Record<string, number>;
  throughput: Array<{ id: string; label: string; kind: Kind; byConns: Record<number, CellSummary> }>;
  c10k: Array<{ label: string; levels: Level[]; stopped?: { k: number; error: string } }>;
  web?: WebFigures;
  cpuBound?: CpuBoundCase[];
  machine: ReturnType<typeof machine> & { loadAverageAtEnd?: number };
  plan: { rounds: number; conns: number[] };
  when: string;
  notes: string[];
};

/** The run's tables in Markdown, for bench/README.md to link to. */
function summaryMarkdown(results: Results & { seconds: number }): string {
  const m = results.machine;
  const lines = [
    `# The latest run`,
    '',
    `${results.when.slice(0, 16).replace('T', ' ')} UTC, ${results.seconds} s · ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB · Node ${m.node} · ${m.kernel}` +
      `${m.python ? ` · ${m.python}` : ''} · ${m.pinned} · load average ${m.loadAverageAtStart} at the start (other work on the machine)`,
    '',
    `## Throughput: requests/s (median of ${results.plan.rounds} interleaved rounds) and × Node's net (median of the per-round ratios, min–max)`,
    '',
    `| server | ${results.plan.conns.map((c) => `C = ${c}`).join(' | ')} |`,
    `|---|${results.plan.conns.map(() => '---:|').join('')}`,
    ...results.throughput.map(
      (r) =>
        `| ${r.label} | ${results.plan.conns
          .map((c) => {
            const cell = r.byConns[c]!;
            return cell.rps === undefined ? 'failed' : `${formatNumber(cell.rps)} · **${cell.vsNode!.toFixed(2)}×** (${cell.vsNodeMin!.toFixed(2)}–${cell.vsNodeMax!.toFixed(2)})`;
          })
          .join(' | ')} |`,
    ),
  ];
  const asyncio = results.throughput.find((r) => r.id === 'py-asyncio');
  if (asyncio) {
    lines.push('', `× Python asyncio (ratio of the medians): ${results.throughput
      .filter((r) => r.kind === 'pack' || r.kind === 'mine')
      .map((r) => `${r.label} ${results.plan.conns.map((c) => r.byConns[c]?.vsAsyncio?.toFixed(2) ?? '–').join(' / ')}`)
      .join(' · ')} (C = ${results.plan.conns.join(' / ')})`);
  }
  if (results.c10k.length) {
    const ks = [...new Set(results.c10k.flatMap((r) => r.levels.map((l) => l.k)))].sort((a, b) => a - b);
    lines.push(
      '',
      `## C10K: the active client's round trip, µs, median / p99, with K idle connections`,
      '',
      `| selector | ${ks.map((k) => `K = ${k}`).join(' | ')} |`,
      `|---|${ks.map(() => '---:|').join('')}`,
      ...results.c10k.map((r) => {
        const cells = ks.map((k) => {
          const level = r.levels.find((l) => l.k === k);
          if (level) return `${Math.round(level.p50us)} / ${Math.round(level.p99us)}`;
          return r.stopped && r.stopped.k === k ? stopWord(r.stopped.error) : '';
        });
        return `| ${r.label} | ${cells.join(' | ')} |`;
      }),
      '',
      ...results.c10k.filter((r) => r.stopped).map((r) => `- ${r.label} stopped at K = ${r.stopped!.k}: ${r.stopped!.error}`),
    );
  }
  const labels: Record<string, string> = {
    jsCall: 'a plain JavaScript call',
    koffiAbs: 'koffi → libc `abs()` (no system call)',
    getpid: 'koffi → `getpid()` (a system call)',
    recvEagain: 'koffi → `recv()`, nothing to read (EAGAIN)',
    socketRecvThrows: '`Socket.recv()` throwing BlockingIOError',
    copy64: '`Buffer.from()` of 64 bytes',
  };
  lines.push('', '## What one call costs, ns (median)', '', '| call | ns |', '|---|---:|', ...Object.entries(labels).map(([key, label]) => `| ${label} | ${results.ffi[key]} |`));
  const web = results.web;
  if (web) {
    lines.push(
      '',
      `## The web server: keep-alive \`GET /\`, C = ${web.conns}, ${web.client} (median of ${web.rounds.length} interleaved rounds)`,
      '',
      '| server | req/s | × Node\'s http (min–max) |',
      '|---|---:|---:|',
      `| 08-async-web (\`--quiet\`) | ${formatNumber(web.ours)} | **${web.ratio.toFixed(2)}×** (${web.ratioMin.toFixed(2)}–${web.ratioMax.toFixed(2)}) |`,
      `| Node's http | ${formatNumber(web.node)} | 1.00× |`,
    );
  }
  if (results.cpuBound?.length) {
    lines.push('', '## CPU-bound work (09, perf2): fib(1) requests/s from one client (median)', '', '| server | fast req/s |', '|---|---:|');
    lines.push(...results.cpuBound.map((c) => `| ${c.label} | ${formatNumber(c.rps)} |`));
  }
  if (results.notes.length) lines.push('', ...results.notes.map((note) => `- note: ${note}`));
  return `${lines.join('\n')}\n`;
}

function writeCharts(out: string, results: Results): void {
  const m = results.machine;
  const where = `${m.cpu.replace(/\s+/g, ' ')}, ${m.cores} cores, Node ${m.node}, ${results.when.slice(0, 10)}`;
  const node = results.throughput.find((r) => r.label === 'Node net');
  const nodeRps = results.plan.conns.map((c) => node?.byConns[c]?.rps).map((v) => (v ? formatNumber(v) : '?'));
  writeFileSync(
    join(out, 'throughput.svg'),
    barChart({
      title: 'Echo throughput, as a multiple of Node’s net server (higher is better)',
      subtitle: `64-byte ping-pong, median of ${results.plan.rounds} interleaved rounds · Node net = ${nodeRps.join(' / ')} req/s · ${where}`,
      groups: results.plan.conns.map((c) => `C = ${c} client${c === 1 ? '' : 's'}`),
      series: results.throughput.map((r) => ({ label: r.label, values: results.plan.conns.map((c) => r.byConns[c]?.vsNode ?? null) })),
      yLabel: '× Node net (dashed line: as fast as Node)',
      reference: { value: 1, label: 'Node net' },
      format: (v) => v.toFixed(2),
    }),
  );
  if (results.c10k.length) {
    const colorIndex = (label: string) => (label.includes('select') ? 2 : label.includes('poll') && !label.includes('epoll') ? 1 : 0);
    writeFileSync(
      join(out, 'c10k.svg'),
      logLogChart({
        title: 'C10K: one busy client’s round trip while K connections sit idle (lower is better)',
        subtitle: `median round trip; both axes logarithmic · ${where}`,
        xLabel: 'K, idle connections held open',
        yLabel: 'round trip, µs (median)',
        series: results.c10k.map((r) => ({
          label: r.label,
          points: r.levels.map((l) => [l.k, l.p50us] as [number, number]),
          colorIndex: colorIndex(r.label),
          dashed: r.label.startsWith('yours'),
        })),
        notes: results.c10k
          .filter((r) => r.stopped && r.levels.length)
          .map((r) => ({ x: r.stopped!.k, y: r.levels[r.levels.length - 1]!.p50us, label: `${r.label}: ${stopWord(r.stopped!.error)} at K = ${r.stopped!.k}`, colorIndex: colorIndex(r.label) })),
      }),
    );
  }
  const labels: Record<string, string> = {
    jsCall: 'plain JavaScript call',
    koffiAbs: 'koffi → libc abs() (no syscall)',
    getpid: 'koffi → getpid() (a syscall)',
    recvEagain: 'koffi → recv(), nothing there (EAGAIN)',
    socketRecvThrows: 'Socket.recv() throws BlockingIOError',
    copy64: 'Buffer.from(), 64 bytes',
  };
  writeFileSync(
    join(out, 'ffi.svg'),
    logBars({
      title: 'What one call costs (shorter is cheaper)',
      subtitle: `median ns per call, log scale · ${where}`,
      bars: Object.entries(labels).filter(([key]) => results.ffi[key] !== undefined).map(([key, label]) => ({ label, value: results.ffi[key]! })),
      unit: 'ns',
    }),
  );
}

try {
  await main();
} catch (error) {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  killAll();
}
