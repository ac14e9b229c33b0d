/**
 * What `npm run bench` says and keeps: the machine it ran on, the tables in the terminal, and the
 * files (results.json, summary.md for bench/README.md to link to, and the charts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { CpuBoundCase } from './cpu-bound.ts';
import { CLIENT_CORE, hasPython, SERVER_CORE, stopWord, type C10kResult, type EchoPlan, type ThroughputRow } from './echo.ts';
import { canPin, fileLimits } from './processes.ts';
import { barChart, formatNumber, logBars, logLogChart } from './svg.ts';
import { targetLines } from './targets.ts';
import type { WebFigures } from './web.ts';

export type Machine = ReturnType<typeof machine>;

/** Every figure of a run, and what it ran on: results.json. */
export interface Results {
  when: string;
  seconds: number;
  quick?: boolean;
  plan: Pick<EchoPlan, 'rounds' | 'conns'> & Partial<EchoPlan>;
  machine: Machine & { loadAverageAtEnd?: number };
  ffi: Record<string, number>;
  throughput: ThroughputRow[];
  c10k: Array<{ id?: string; label: string } & C10kResult>;
  web?: WebFigures;
  cpuBound?: CpuBoundCase[];
  notes: string[];
}

/** The load average, rounded: other work on the machine. */
export function loadAverage(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

/** The machine a run measures on, and how busy it is. */
export function machine() {
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
    loadAverageAtStart: loadAverage(),
  };
}

// ---------------------------------------------------------------------------------------------
// The terminal

export function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

export function printMachine(info: Machine, quick: boolean): void {
  console.log(`bench${quick ? ' --quick' : ''}: ${info.cpu}, ${info.cores} cores, Node ${info.node}, ${info.kernel}${info.python ? `, ${info.python}` : ''}`);
  console.log(`   ${info.pinned}; open files: soft ${info.openFiles.soft}, hard ${info.openFiles.hard}; load average ${info.loadAverageAtStart}`);
  if (info.loadAverageAtStart > info.cores) console.log(`   (the machine is busy with other work: absolute figures will be low, ratios less so)`);
}

/** The FFI figures, in order, with what each measures: the terminal, summary.md and ffi.svg all use it. */
const FFI_ROWS: Array<[key: string, label: string]> = [
  ['jsCall', 'a plain JavaScript call'],
  ['koffiAbs', 'koffi → libc abs() (no system call)'],
  ['getpid', 'koffi → getpid() (a system call)'],
  ['cGetpid', 'getpid() from C (no FFI)'],
  ['recvEagain', 'koffi → recv(), nothing to read (EAGAIN)'],
  ['socketRecvThrows', 'Socket.recv() throwing BlockingIOError'],
  ['copy64', 'Buffer.from() of 64 bytes'],
];

/** The FFI rows this run measured (getpid from C needs a C compiler). */
function ffiRows(ffi: Record<string, number>): Array<[label: string, ns: number]> {
  return FFI_ROWS.filter(([key]) => ffi[key] !== undefined).map(([key, label]) => [label, ffi[key]!]);
}

export function printFfi(ffi: Record<string, number>): void {
  for (const [label, ns] of ffiRows(ffi)) console.log(`   ${pad(label, 40)} ${pad(String(ns), 9, true)} ns`);
}

/** The tables at the end of a run, and its notes. */
export function printTables(results: Results): void {
  printThroughput(results);
  printC10k(results.c10k);
  printWeb(results.web);
  if (results.cpuBound?.length) {
    console.log(`\n── CPU-bound work: fib(1) requests/s from one client (median)`);
    for (const c of results.cpuBound) console.log(`   ${pad(c.label, 36)}${pad(formatNumber(c.rps), 8, true)}`);
  }
  for (const note of results.notes) console.log(`   note: ${note}`);
  if (!results.quick) {
    console.log(`\n── Targets (bench/targets.ts)`);
    for (const line of targetLines(results)) console.log(`   ${line}`);
  }
}

function printThroughput({ plan, throughput }: Results): void {
  console.log(`\n── throughput: req/s (median), × Node net (median of per-round ratios, min–max)`);
  const header = plan.conns.map((c) => pad(`C = ${c}`, 30)).join('');
  console.log(`   ${pad('server', 22)}${header}`);
  for (const row of throughput) {
    const shown = plan.conns.map((c) => {
      const cell = row.byConns[c]!;
      if (cell.rps === undefined) return pad('failed (see below)', 30);
      return pad(`${pad(formatNumber(cell.rps), 6, true)}  ${cell.vsNode!.toFixed(2)}× (${cell.vsNodeMin!.toFixed(2)}–${cell.vsNodeMax!.toFixed(2)})`, 30);
    });
    console.log(`   ${pad(row.label, 22)}${shown.join('')}`);
  }
  for (const row of throughput) {
    for (const c of plan.conns) {
      const error = row.byConns[c]!.error;
      if (error) console.log(`   ! ${row.label}, C = ${c}: ${error}`);
    }
  }
}

function printWeb(web: WebFigures | undefined): void {
  if (!web) return;
  console.log(`\n── the web server: keep-alive GET /, C = ${web.conns}, ${web.client}: req/s (median), × Node's http (median of per-round ratios, min–max; each round)`);
  for (const row of web.servers) {
    if (row.rps === undefined) {
      console.log(`   ${pad(row.label, 30)}failed: ${row.error}`);
      continue;
    }
    const ratio = row.kind === 'baseline' ? '' : `  ${row.ratio!.toFixed(2)}× (${row.ratioMin!.toFixed(2)}–${row.ratioMax!.toFixed(2)}; ${row.ratios!.map((r) => r.toFixed(2)).join(' ')})`;
    console.log(`   ${pad(row.label, 30)}${pad(formatNumber(row.rps), 8, true)}${ratio}`);
  }
}

/** Every K some server reached, in order. */
function levelsOf(c10k: Results['c10k']): number[] {
  return [...new Set(c10k.flatMap((r) => r.levels.map((l) => l.k)))].sort((a, b) => a - b);
}

function printC10k(c10k: Results['c10k']): void {
  if (!c10k.length) return;
  console.log(`\n── C10K: the active client's round trip, µs (median / p99) with K idle connections`);
  const ks = levelsOf(c10k);
  console.log(`   ${pad('K', 12)}${ks.map((k) => pad(String(k), 14, true)).join('')}`);
  for (const row of c10k) {
    const shown = ks.map((k) => {
      const level = row.levels.find((l) => l.k === k);
      if (level) return pad(`${Math.round(level.p50us)} / ${Math.round(level.p99us)}`, 14, true);
      return pad(row.stopped && row.stopped.k <= k ? (row.stopped.k === k ? stopWord(row.stopped.error) : '') : '—', 14, true);
    });
    console.log(`   ${pad(row.label, 12)}${shown.join('')}`);
    if (row.stopped) console.log(`     ${row.label} stopped at K = ${row.stopped.k}: ${row.stopped.error}`);
  }
}

/** The figures that could not be taken (select refusing past FD_SETSIZE is the lesson, not one of them). */
export function failures(results: Results): string[] {
  return [
    ...results.throughput.flatMap((r) => Object.entries(r.byConns).filter(([, c]) => c.rps === undefined).map(([c, cell]) => `${r.label}, C = ${c}: ${cell.error}`)),
    ...results.c10k.filter((r) => r.stopped && stopWord(r.stopped.error) === 'failed').map((r) => `C10K ${r.label} at K = ${r.stopped!.k}: ${r.stopped!.error}`),
    ...(results.web?.servers ?? []).filter((r) => r.rps === undefined).map((r) => `web ${r.label}: ${r.error}`),
  ];
}

// ---------------------------------------------------------------------------------------------
// The files

/** results.json, summary.md and the charts, in `out`. */
export function writeFiles(out: string, results: Results): void {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeReport(out, results);
}

/** summary.md and the charts, from the figures (`--redraw` calls it on the last full run's). */
export function writeReport(out: string, results: Results): void {
  writeCharts(out, results);
  writeFileSync(join(out, 'summary.md'), summaryMarkdown(results));
}

/** The run's tables in Markdown, for bench/README.md to link to. */
function summaryMarkdown(results: Results): string {
  const m = results.machine;
  const lines = [
    `# The latest run`,
    '',
    `${results.when.slice(0, 16).replace('T', ' ')} UTC, ${results.seconds} s · ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB · Node ${m.node} · ${m.kernel}` +
      `${m.python ? ` · ${m.python}` : ''} · ${m.pinned} · load average ${m.loadAverageAtStart} at the start (other work on the machine)`,
    ...throughputMarkdown(results),
    ...c10kMarkdown(results.c10k),
    ...ffiMarkdown(results.ffi),
    ...webMarkdown(results.web),
  ];
  if (results.cpuBound?.length) {
    lines.push('', '## CPU-bound work (09, perf2): fib(1) requests/s from one client (median)', '', '| server | fast req/s |', '|---|---:|');
    lines.push(...results.cpuBound.map((c) => `| ${c.label} | ${formatNumber(c.rps)} |`));
  }
  lines.push(...targetsMarkdown(results));
  if (results.notes.length) lines.push('', ...results.notes.map((note) => `- note: ${note}`));
  return `${lines.join('\n')}\n`;
}

function throughputMarkdown({ plan, throughput }: Results): string[] {
  const cellText = (row: ThroughputRow, c: number) => {
    const cell = row.byConns[c]!;
    return cell.rps === undefined ? 'failed' : `${formatNumber(cell.rps)} · **${cell.vsNode!.toFixed(2)}×** (${cell.vsNodeMin!.toFixed(2)}–${cell.vsNodeMax!.toFixed(2)})`;
  };
  const lines = [
    '',
    `## Throughput: requests/s (median of ${plan.rounds} interleaved rounds) and × Node's net (median of the per-round ratios, min–max)`,
    '',
    `| server | ${plan.conns.map((c) => `C = ${c}`).join(' | ')} |`,
    `|---|${plan.conns.map(() => '---:|').join('')}`,
    ...throughput.map((row) => `| ${row.label} | ${plan.conns.map((c) => cellText(row, c)).join(' | ')} |`),
  ];
  if (throughput.some((r) => r.id === 'py-asyncio')) {
    const ours = throughput.filter((r) => r.kind === 'pack' || r.kind === 'mine');
    const ratios = ours.map((r) => `${r.label} ${plan.conns.map((c) => r.byConns[c]?.vsAsyncio?.toFixed(2) ?? '–').join(' / ')}`);
    lines.push('', `× Python asyncio (ratio of the medians): ${ratios.join(' · ')} (C = ${plan.conns.join(' / ')})`);
  }
  return lines;
}

function c10kMarkdown(c10k: Results['c10k']): string[] {
  if (!c10k.length) return [];
  const ks = levelsOf(c10k);
  const row = (r: Results['c10k'][number]) => {
    const cells = ks.map((k) => {
      const level = r.levels.find((l) => l.k === k);
      if (level) return `${Math.round(level.p50us)} / ${Math.round(level.p99us)}`;
      return r.stopped && r.stopped.k === k ? stopWord(r.stopped.error) : '';
    });
    return `| ${r.label} | ${cells.join(' | ')} |`;
  };
  return [
    '',
    `## C10K: the active client's round trip, µs, median / p99, with K idle connections`,
    '',
    `| selector | ${ks.map((k) => `K = ${k}`).join(' | ')} |`,
    `|---|${ks.map(() => '---:|').join('')}`,
    ...c10k.map(row),
    '',
    ...c10k.filter((r) => r.stopped).map((r) => `- ${r.label} stopped at K = ${r.stopped!.k}: ${r.stopped!.error}`),
  ];
}

function ffiMarkdown(ffi: Record<string, number>): string[] {
  return ['', '## What one call costs, ns (median)', '', '| call | ns |', '|---|---:|', ...ffiRows(ffi).map(([label, ns]) => `| ${label} | ${ns} |`)];
}

function targetsMarkdown(results: Results): string[] {
  return ['', '## Targets (bench/targets.ts)', '', ...targetLines(results).map((line) => `- ${line}`)];
}

function webMarkdown(web: WebFigures | undefined): string[] {
  if (!web) return [];
  return [
    '',
    `## The web server: keep-alive \`GET /\`, C = ${web.conns}, ${web.client} (median of ${web.servers[0]?.rounds.length} interleaved rounds)`,
    '',
    "| server | req/s | × Node's http (min–max) | × Node's http, round by round |",
    '|---|---:|---:|---|',
    ...web.servers.map((row) => {
      const label = row.label.replace('(--quiet)', '(`--quiet`)');
      if (row.rps === undefined) return `| ${label} | failed | | |`;
      if (row.kind === 'baseline') return `| ${label} | ${formatNumber(row.rps)} | 1.00× | |`;
      return `| ${label} | ${formatNumber(row.rps)} | **${row.ratio!.toFixed(2)}×** (${row.ratioMin!.toFixed(2)}–${row.ratioMax!.toFixed(2)}) | ${row.ratios!.map((r) => r.toFixed(2)).join(' · ')} |`;
    }),
  ];
}

// ---------------------------------------------------------------------------------------------
// The charts

function writeCharts(out: string, results: Results): void {
  const m = results.machine;
  const where = `${m.cpu.replace(/\s+/g, ' ')}, ${m.cores} cores, Node ${m.node}, ${results.when.slice(0, 10)}`;
  writeFileSync(join(out, 'throughput.svg'), throughputChart(results, where));
  if (results.c10k.length) writeFileSync(join(out, 'c10k.svg'), c10kChart(results.c10k, where));
  writeFileSync(join(out, 'ffi.svg'), ffiChart(results.ffi, where));
}

function throughputChart({ plan, throughput }: Results, where: string): string {
  const node = throughput.find((r) => r.label === 'Node net');
  const nodeRps = plan.conns.map((c) => node?.byConns[c]?.rps).map((v) => (v ? formatNumber(v) : '?'));
  return barChart({
    title: 'Echo throughput, as a multiple of Node’s net server (higher is better)',
    subtitle: `64-byte ping-pong, median of ${plan.rounds} interleaved rounds · Node net = ${nodeRps.join(' / ')} req/s · ${where}`,
    groups: plan.conns.map((c) => `C = ${c} client${c === 1 ? '' : 's'}`),
    series: throughput.map((r) => ({ label: r.label, values: plan.conns.map((c) => r.byConns[c]?.vsNode ?? null) })),
    yLabel: '× Node net (dashed line: as fast as Node)',
    reference: { value: 1, label: 'Node net' },
    format: (v) => v.toFixed(2),
  });
}

function c10kChart(c10k: Results['c10k'], where: string): string {
  const colorIndex = (label: string) => (label.includes('select') ? 2 : label.includes('poll') && !label.includes('epoll') ? 1 : 0);
  return logLogChart({
    title: 'C10K: one busy client’s round trip while K connections sit idle (lower is better)',
    subtitle: `median round trip; both axes logarithmic · ${where}`,
    xLabel: 'K, idle connections held open',
    yLabel: 'round trip, µs (median)',
    series: c10k.map((r) => ({
      label: r.label,
      points: r.levels.map((l) => [l.k, l.p50us] as [number, number]),
      colorIndex: colorIndex(r.label),
      dashed: r.label.startsWith('yours'),
    })),
    notes: c10k
      .filter((r) => r.stopped && r.levels.length)
      .map((r) => ({ x: r.stopped!.k, y: r.levels[r.levels.length - 1]!.p50us, label: `${r.label}: ${stopWord(r.stopped!.error)} at K = ${r.stopped!.k}`, colorIndex: colorIndex(r.label) })),
  });
}

function ffiChart(ffi: Record<string, number>, where: string): string {
  return logBars({
    title: 'What one call costs (shorter is cheaper)',
    subtitle: `median ns per call, log scale · ${where}`,
    bars: ffiRows(ffi).map(([label, value]) => ({ label, value })),
    unit: 'ns',
  });
}
