/**
 * `npm run bench -- --profile ID`: where one server's time goes under load. The server runs with
 * `--cpu-prof` and bench/profiler.mjs preloaded (which ends it normally, so that the profile is
 * written, although its loop never yields to Node), the load generator plays ping-pong with C clients, and the profile's self time is
 * summed per function and per kind of work: waiting in the kernel, the FFI, copying Buffers, throwing
 * and catching, the selector's bookkeeping, the rest of the loop.
 */
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../fixtures/harness/target.ts';
import { until } from '../fixtures/harness/wait.ts';
import { LoadGenerator, Server } from './processes.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * What kind of work a function is, by its name and file (first match wins). A koffi call has no frame
 * of its own: its time is the self time of the function that makes it. The binding makes most system
 * calls in a small arrow function (to retry it on EINTR), so those arrows stand for the system calls;
 * `Socket.recv` and `Socket.send`, which run for every message, make theirs in line, so their self time
 * is their system call's, and the little else they do (a check, the copy's view) counts with it.
 */
const KINDS: Array<[kind: string, test: (name: string, file: string) => boolean]> = [
  ['idle (Node\'s own loop, before and after)', (name) => name === '(idle)'],
  ['garbage collection', (name) => name === '(garbage collector)'],
  ['waiting: epoll_wait / poll / select (koffi call)', (name, file) => /native\/select\.ts$/.test(file) && name === '(anonymous)'],
  ['epoll_ctl: changing what epoll watches (koffi call)', (name, file) => /native\/select\.ts$/.test(file) && name === '#control'],
  ['recv / send / accept system calls (koffi call)', (name, file) => /native\/socket\.ts$/.test(file) && /^(\(anonymous\)|recv|send)$/.test(name)],
  ['other koffi calls', (name, file) => file === '' && /^[a-z_0-9]+$/.test(name)],
  ['errors: building and throwing', (name, file) => /native\/errors\.ts$/.test(file) || /captureStackTrace|Error$/.test(name)],
  ['Buffers: allocating and copying', (name, file) => /buffer/.test(file) || /^(from|alloc|allocUnsafe|subarray|copy|fill|write\w*|read\w*|FastBuffer)$/.test(name)],
  ['the selector and select(): bookkeeping', (_, file) => /native\/(selectors|select)\.ts$/.test(file)],
  ['the socket wrapper: checks, errno', (_, file) => /native\/socket\.ts$/.test(file)],
  ['the server and its loop', (_, file) => /(solutions|exercises|bench\/peers)\//.test(file)],
  ['Node, V8 and the rest', () => true],
];

function kindOf(name: string, file: string): string {
  return KINDS.find(([, test]) => test(name, file))![0];
}

/** Self time per function and per kind of work, counting only the samples taken from `fromMicros` on. */
export function summarize(profile: CpuProfile, fromMicros: number): { total: number; kinds: Array<[string, number]>; functions: Array<[string, number]> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfTime = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at >= fromMicros) selfTime.set(id, (selfTime.get(id) ?? 0) + delta);
  });
  const kinds = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const [id, micros] of selfTime) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const name = functionName || '(anonymous)';
    const file = url.startsWith('file://') ? relative(ROOT, new URL(url).pathname) : url;
    const where = file ? `${name} ${file}:${lineNumber + 1}` : name;
    total += micros;
    kinds.set(kindOf(name, file), (kinds.get(kindOf(name, file)) ?? 0) + micros);
    functions.set(where, (functions.get(where) ?? 0) + micros);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { total, kinds: sorted(kinds), functions: sorted(functions) };
}

export async function profileServer(label: string, command: string[], conns: number, out: string, cores: { server: number; client: number }): Promise<void> {
  const [node, ...rest] = command;
  if (node !== process.execPath) throw new Error(`--profile works on the Node servers only (${label} is not one)`);
  // Each thread writes a profile into `dir` (the profiler's worker too): the server's is the largest.
  const dir = `${out}.d`;
  const go = `${out}.go`;
  const profiled = [node, '--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', dir, '--import', './bench/profiler.mjs', ...rest];
  const profileMs = 3000;
  for (const file of [out, go, dir]) rmSync(file, { force: true, recursive: true });
  process.env.PROFILE_GO = go;
  process.env.PROFILE_MS = String(profileMs);
  const server = await Server.start(label, profiled, cores.server);
  const loadgen = new LoadGenerator(cores.client);
  try {
    // A first, short run: the load generator is up, and the server's JIT has warmed up.
    const warm = await loadgen.ask<{ rps: number }>({ op: 'echo', port: server.port, conns, ms: 1000, warmupMs: 0 }, 60_000);
    if (!warm.ok) throw new Error(`the load generator could not play with ${label}: ${warm.error}`);
    const load = loadgen.ask<{ rps: number }>({ op: 'echo', port: server.port, conns, ms: profileMs + 1500, warmupMs: 0 }, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    writeFileSync(go, '');
    await until(() => server.exitedWith !== undefined, 30_000, () => `the server did not end ${profileMs} ms after the profile began: ${server.lastError()}`);
    await load.catch(() => undefined); // the server left in the middle of it: expected
  } finally {
    loadgen.stop();
    server.stop();
  }
  const from = Number(readFileSync(go, 'utf8'));
  // The server's thread is the one that was busy: the most time not idle.
  const profiles = readdirSync(dir).map((name) => ({ name, summary: summarize(JSON.parse(readFileSync(join(dir, name), 'utf8')) as CpuProfile, from) }));
  const busyTime = (p: (typeof profiles)[number]) => p.summary.total - (p.summary.kinds.find(([kind]) => kind.startsWith('idle'))?.[1] ?? 0);
  const winner = profiles.sort((a, b) => busyTime(b) - busyTime(a))[0];
  if (!winner) throw new Error(`the server wrote no profile into ${dir}: ${server.lastError()}`);
  renameSync(join(dir, winner.name), out);
  rmSync(go, { force: true });
  rmSync(dir, { force: true, recursive: true });
  const { total, kinds, functions } = winner.summary;
  // Waiting is what a loop does when the clients are slower than it: the rest is what it costs.
  const waiting = kinds.filter(([kind]) => kind.startsWith('waiting') || kind.startsWith('idle')).reduce((sum, [, micros]) => sum + micros, 0);
  const busy = total - waiting;
  const percent = (micros: number, of: number) => `${((100 * micros) / of).toFixed(1).padStart(5)} %`;
  console.log(`\n   ${label} under ${conns} ping-pong clients: where the time goes (self time, ${(total / 1000).toFixed(0)} ms sampled)`);
  console.log('   of all    of the busy time');
  for (const [kind, micros] of kinds) {
    const isWaiting = kind.startsWith('waiting') || kind.startsWith('idle');
    console.log(`   ${percent(micros, total)}  ${isWaiting ? '         ' : percent(micros, busy)}  ${kind}`);
  }
  console.log('\n   the 15 functions with the most self time:');
  for (const [where, micros] of functions.slice(0, 15)) console.log(`   ${percent(micros, total)}  ${where}`);
  console.log(`\n   the profile: ${out} (open it in Chrome DevTools → Performance, or VS Code)`);
}
