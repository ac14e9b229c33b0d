/**
 * Sections 2 and 3 of `npm run bench`: the echo servers. Which ones run (the references of the echo
 * exercises, the peers, the learner's with `--mine`), their throughput against Node's `net` in
 * interleaved rounds, and C10K: one client's round trip while K idle connections are held open.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../fixtures/command-line.ts';
import { SELECTORS, type SelectorName } from '../fixtures/program.ts';
import { LoadGenerator, Server } from './processes.ts';
import { median, round2 } from './stats.ts';

/** The exercises with an echo server, in order: measured in sections 2 and 3, and with `--mine`. */
export const ECHO_EXERCISES = ['02', '03', '04', '07', '10'];
/** Each one's echo program. */
const ECHO_PROGRAMS: Readonly<Record<string, string>> = { '02': 'server.ts', '03': 'server.ts', '04': 'server.ts', '07': 'server.ts', '10': 'echo.ts' };

export const SERVER_CORE = 0;
export const CLIENT_CORE = 1;
export const hasPython = spawnSync('python3', ['--version']).status === 0;

/** Which echo servers run: all (or a few, for the smoke run), and the learner's with `--mine NN`. */
export interface EchoChoice {
  quick: boolean;
  mine?: string;
}

/** How long and how hard sections 2 and 3 measure. */
export interface EchoPlan {
  rounds: number;
  conns: number[];
  warmupMs: number;
  measureMs: number;
  /** C10K: the numbers of idle connections, the round-trip windows at each, and how long opening them may take. */
  levels: number[];
  rttRounds: number;
  rttMs: number;
  rampMs: number;
}

export type Kind = 'baseline' | 'peer' | 'pack' | 'mine';

export interface Spec {
  id: string;
  label: string;
  kind: Kind;
  command: string[];
  /** For the C10K part: which selector this server waits with. */
  selector?: SelectorName;
}

const tsx = (file: string, ...args: string[]) => [process.execPath, '--import', 'tsx', file, '--port', '0', ...args];

/** `tree/NN-topic/<program>` (`server.ts`, or 10's `echo.ts`), if the exercise and its program are there. */
export function programFile(tree: string, nn: string, program: string): { name: string; path: string } | undefined {
  const name = readdirSync(join(ROOT, tree)).find((folder) => folder.startsWith(`${nn}-`));
  const path = name && join(tree, name, program);
  return name && path && existsSync(join(ROOT, path)) ? { name, path } : undefined;
}

/** The echo servers of a tree that exist in this checkout (03 once with each selector); `number`: that exercise's alone. */
export function packServers(tree: 'solutions' | 'exercises', notes: string[], number?: string): Spec[] {
  const specs: Spec[] = [];
  const prefix = tree === 'exercises' ? 'yours ' : '';
  const kind: Kind = tree === 'exercises' ? 'mine' : 'pack';
  for (const nn of number ? [number] : ECHO_EXERCISES) {
    const file = programFile(tree, nn, ECHO_PROGRAMS[nn]!);
    if (!file) {
      if (!number) notes.push(`${tree}/${nn}-*/${ECHO_PROGRAMS[nn]} is not there yet: skipped`);
      continue;
    }
    if (nn === '03') {
      for (const selector of Object.keys(SELECTORS) as SelectorName[]) {
        specs.push({ id: `${prefix}03-${selector}`, label: `${prefix}03 ${selector}`, kind, command: tsx(file.path, '--selector', selector), selector });
      }
    } else {
      specs.push({ id: `${prefix}${file.name}`, label: `${prefix}${file.name}`, kind, command: tsx(file.path), ...(nn === '02' && { selector: 'select' as const }) });
    }
  }
  return specs;
}

/** Section 2's servers: Node's `net` (the baseline), the peers, the references, and yours with `--mine`. */
export function throughputServers(choice: EchoChoice, notes: string[]): Spec[] {
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
  const pack = packServers('solutions', notes);
  specs.push(...pack);
  if (choice.mine) {
    const mine = packServers('exercises', notes, choice.mine);
    if (!mine.length) throw new Error(`--mine ${choice.mine}: no exercises/${choice.mine}-*/${ECHO_PROGRAMS[choice.mine]} to run`);
    specs.push(...mine);
  }
  // The smoke run: the baseline, one reference server, and yours.
  if (choice.quick) return specs.filter((s) => s.kind === 'baseline' || s.kind === 'mine' || s.id === pack[0]?.id);
  return specs;
}

/** Section 3's servers: 03 with each selector (the smoke run: the system's own alone), and yours with `--mine 03`. */
export function c10kServers(choice: EchoChoice, notes: string[]): Spec[] {
  const all = [...packServers('solutions', notes).filter((s) => s.id.startsWith('03-')), ...(choice.mine === '03' ? packServers('exercises', notes, '03') : [])];
  return choice.quick ? all.filter((s) => s.selector === 'epoll' || s.selector === 'kqueue') : all;
}

/** Every server started at once; one that could not start is its Error. */
export async function startAll(specs: Spec[]): Promise<Map<string, Server | Error>> {
  const started = await Promise.allSettled(specs.map((s) => Server.start(s.label, s.command, SERVER_CORE)));
  return new Map(
    specs.map((s, i) => {
      const r = started[i]!;
      return [s.id, r.status === 'fulfilled' ? r.value : (r.reason as Error)];
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// 2. Throughput

export interface Cell {
  rps: number[];
  ratios: number[];
  p50us: number[];
  p99us: number[];
  error?: string;
}

/** Every server in turn, each round starting with another, at each number of clients C. */
export async function measureThroughput(plan: EchoPlan, specs: Spec[], servers: Map<string, Server | Error>, loadgen: LoadGenerator): Promise<Map<string, Map<number, Cell>>> {
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
        const figure = await pingPong(plan, server, conns, loadgen);
        if (typeof figure === 'string') {
          cell.error = figure;
          continue;
        }
        rps.set(spec.id, figure.rps);
        cell.rps.push(figure.rps);
        cell.p50us.push(figure.p50);
        cell.p99us.push(figure.p99);
      }
      const baseline = rps.get('node-net');
      if (baseline) for (const [id, value] of rps) cells.get(id)!.get(conns)!.ratios.push(value / baseline);
    }
    console.log(`   round ${round + 1}/${plan.rounds} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  return cells;
}

/** One measurement: C clients play 64-byte ping-pong with the server; the figures, or why there are none. */
async function pingPong(plan: EchoPlan, server: Server, conns: number, loadgen: LoadGenerator): Promise<{ rps: number; p50: number; p99: number } | string> {
  const answer = await loadgen.ask<{ rps: number; p50: number; p99: number }>(
    { op: 'echo', port: server.port, conns, ms: plan.measureMs, warmupMs: plan.warmupMs },
    plan.warmupMs + plan.measureMs + 60_000,
  );
  if (answer.ok) return answer;
  return server.exitedWith ? `exited (${server.exitedWith}): ${server.lastError()}` : answer.error;
}

export interface CellSummary {
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

export interface ThroughputRow {
  id: string;
  label: string;
  kind: Kind;
  byConns: Record<number, CellSummary>;
}

/** Each server's figures at each C: medians, and ratios to Node's `net` and to Python's asyncio. */
export function summarizeThroughput(plan: EchoPlan, specs: Spec[], cells: Map<string, Map<number, Cell>>): ThroughputRow[] {
  const summarize = (id: string, c: number): CellSummary => {
    const cell = cells.get(id)!.get(c)!;
    if (!cell.rps.length) return { error: cell.error ?? 'no figure' };
    const asyncio = cells.get('py-asyncio')?.get(c);
    const vsAsyncio = asyncio?.rps.length ? median(cell.rps) / median(asyncio.rps) : null;
    return {
      rps: Math.round(median(cell.rps)),
      vsNode: round2(median(cell.ratios)),
      vsNodeMin: round2(Math.min(...cell.ratios)),
      vsNodeMax: round2(Math.max(...cell.ratios)),
      vsAsyncio: vsAsyncio === null ? null : round2(vsAsyncio),
      p50us: median(cell.p50us),
      p99us: median(cell.p99us),
      rounds: cell.rps,
      ...(cell.error && { error: cell.error }),
    };
  };
  return specs.map((spec) => ({ id: spec.id, label: spec.label, kind: spec.kind, byConns: Object.fromEntries(plan.conns.map((c) => [c, summarize(spec.id, c)])) }));
}

// ---------------------------------------------------------------------------------------------
// 3. C10K

export interface Level {
  k: number;
  p50us: number;
  p99us: number;
  windows: number;
  openMs: number;
}

export interface C10kResult {
  levels: Level[];
  stopped?: { k: number; error: string };
}

/**
 * At each level K: every server still going gets K idle connections, then the active client's round
 * trip is measured in windows, the servers interleaved. A server that cannot take K stops there.
 */
export class C10k {
  readonly results: Map<string, C10kResult>;

  constructor(
    readonly plan: EchoPlan,
    readonly specs: Spec[],
    readonly servers: Map<string, Server | Error>,
    /** One load generator per server: each holds up to 10,000 connections, under its own fd limit. */
    readonly loadgens: Map<string, LoadGenerator>,
  ) {
    this.results = new Map(specs.map((s) => [s.id, { levels: [] }]));
    for (const [id, server] of servers) if (server instanceof Error) this.results.get(id)!.stopped = { k: 0, error: server.message };
  }

  async measure(hardLimit: number, notes: string[]): Promise<Map<string, C10kResult>> {
    // Headroom for the process's own files (Node holds ~25) and the active connection.
    const maxK = hardLimit - 100;
    for (const wanted of this.plan.levels) {
      const k = Math.min(wanted, maxK);
      if (k < wanted) notes.push(`C10K: the hard limit on open files (${hardLimit}) stops K at ${k} instead of ${wanted}`);
      const live = this.specs.filter((s) => !this.results.get(s.id)!.stopped);
      const opened = await this.openIdle(live, k);
      const windows = await this.roundTrips(live, k);
      for (const [id, w] of windows) {
        if (this.results.get(id)!.stopped) continue;
        this.results.get(id)!.levels.push({ k, p50us: median(w.p50), p99us: median(w.p99), windows: w.p50.length, openMs: opened.get(id) ?? 0 });
      }
      const shown = live.map((s) => {
        const level = this.results.get(s.id)!.levels.find((l) => l.k === k);
        return `${s.label} ${level ? `${level.p50us} µs` : '—'}`;
      });
      console.log(`   K = ${k}: ${shown.join(', ')}`);
    }
    return this.results;
  }

  /** K idle connections to each live server; how long opening them took. */
  private async openIdle(live: Spec[], k: number): Promise<Map<string, number>> {
    const opened = new Map<string, number>();
    for (const spec of live) {
      const server = this.servers.get(spec.id) as Server;
      // Bounded: a server that pays for every open connection on every turn also pays to accept each
      // new one, and opening thousands can take minutes. That is the C10K problem too; it is reported.
      const answer = await this.loadgens.get(spec.id)!.ask<{ ms: number }>({ op: 'idle', port: server.port, k, withinMs: this.plan.rampMs }, this.plan.rampMs + 30_000);
      if (!answer.ok) {
        await new Promise((resolve) => setTimeout(resolve, 100)); // let a crashed server's last words arrive
        const error = server.exitedWith ? `${server.lastError()}` : answer.error;
        this.results.get(spec.id)!.stopped = { k, error };
        console.log(`   ${spec.label}: stopped at K = ${k}: ${error}`);
      } else opened.set(spec.id, answer.ms);
    }
    return opened;
  }

  /** The active client's round trips, in windows, the servers taking turns. */
  private async roundTrips(live: Spec[], k: number): Promise<Map<string, { p50: number[]; p99: number[] }>> {
    const windows = new Map<string, { p50: number[]; p99: number[] }>();
    for (let round = 0; round < this.plan.rttRounds; round++) {
      const order = live.map((_, i) => live[(i + round) % live.length]!);
      for (const spec of order) {
        if (this.results.get(spec.id)!.stopped) continue;
        const server = this.servers.get(spec.id) as Server;
        const answer = await this.loadgens.get(spec.id)!.ask<{ p50: number; p99: number; samples: number }>({ op: 'rtt', port: server.port, ms: this.plan.rttMs }, 60_000);
        if (!answer.ok || answer.samples === 0) {
          this.results.get(spec.id)!.stopped = { k, error: answer.ok ? 'no round trip completed' : answer.error };
          continue;
        }
        const w = windows.get(spec.id) ?? { p50: [], p99: [] };
        w.p50.push(answer.p50);
        w.p99.push(answer.p99);
        windows.set(spec.id, w);
      }
    }
    return windows;
  }
}

/**
 * Why a selector's C10K line ends: select() refuses an fd past FD_SETSIZE, and a server that scans
 * every connection on every turn can take longer to accept thousands more than the run allows. Both
 * are the lesson, not failures of the bench.
 */
export function stopWord(error: string): 'refused' | 'too slow' | 'failed' {
  if (/FD_SETSIZE/.test(error)) return 'refused';
  if (/new connections within/.test(error)) return 'too slow';
  return 'failed';
}
