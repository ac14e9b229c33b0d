/**
 * Section 4 of `npm run bench`: the web servers of 08 (the 00 app served by your 07 loop, a coroutine
 * per connection) and 10 (the same app as a protocol) against Node's own `http` serving the same page,
 * under the same keep-alive load — C connections, one `GET /` in flight on each — as ratios, in
 * interleaved rounds. With `--mine 10`: Node's `http`, 10's reference and yours.
 *
 * The client is wrk when it is installed (`apt-get install wrk`): written in C, it costs the servers
 * least. Without it, the load generator's `http` op plays the clients, on the binding's own epoll. The
 * pack's servers run with `--quiet`, as Node's server logs nothing either: a log line per request is a
 * write to a pipe.
 */
import { spawnSync } from 'node:child_process';
import { index } from '../solutions/00-web-app/views.ts';
import { programFile } from './echo.ts';
import { canPin, LoadGenerator, Server } from './processes.ts';
import { median, round2 } from './stats.ts';

/** A web server of section 4: Node's `http` (the baseline every ratio is to), a reference, or yours (`--mine 10`). */
export interface WebSpec {
  id: string;
  label: string;
  kind: 'baseline' | 'pack' | 'mine';
  command: string[];
}

/** One server's figures: requests per second in each round, their median, and the ratio to Node's `http`; or why there are none. */
export interface WebRow {
  id: string;
  label: string;
  kind: WebSpec['kind'];
  rounds: number[];
  rps?: number;
  /** The ratio to Node's http in each round; their median, and their range. */
  ratios?: number[];
  ratio?: number;
  ratioMin?: number;
  ratioMax?: number;
  error?: string;
}

export interface WebFigures {
  client: string;
  conns: number;
  servers: WebRow[];
}

export interface WebPlan {
  conns: number;
  rounds: number;
  /** Seconds per measurement (wrk measures in whole seconds). */
  seconds: number;
  serverCore: number;
  clientCore: number;
}

export const hasWrk = spawnSync('wrk', ['--version']).error === undefined;
export const WRK_NOTE = 'wrk is not installed: the load generator played the web clients (apt-get install wrk for a client in C)';

/** Node's http server, serving 00's index page with the same headers. */
function nodeHttpServer(): string[] {
  const script = `
    const body = Buffer.from(${JSON.stringify(index())}, 'utf8');
    const server = require('node:http').createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
    server.listen(0, '127.0.0.1', () => console.log('listening on 127.0.0.1:' + server.address().port));`;
  return [process.execPath, '-e', script];
}

function wrk(port: number, plan: WebPlan, seconds: number): number {
  const command = ['wrk', '-t1', `-c${plan.conns}`, `-d${seconds}s`, `http://127.0.0.1:${port}/`];
  const pinned = canPin ? ['taskset', '-c', String(plan.clientCore), ...command] : command;
  const result = spawnSync(pinned[0]!, pinned.slice(1), { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
  const rate = /Requests\/sec:\s*([\d.]+)/.exec(result.stdout)?.[1];
  if (rate === undefined) throw new Error(`wrk gave no figure: ${result.stderr || result.stdout || result.error}`);
  return Number(rate);
}

async function requestsPerSecond(port: number, plan: WebPlan, loadgen: LoadGenerator, warmUp: boolean): Promise<number> {
  if (hasWrk) {
    if (warmUp) wrk(port, plan, 1); // the servers' JIT warms up
    return wrk(port, plan, plan.seconds);
  }
  const answer = await loadgen.ask<{ rps: number }>({ op: 'http', port, conns: plan.conns, ms: plan.seconds * 1000, warmupMs: warmUp ? 1000 : 100 }, 60_000);
  if (!answer.ok) throw new Error(`the load generator could not play the web clients: ${answer.error}`);
  return answer.rps;
}

/** The pack's web programs, by exercise, in order. */
const WEB_PROGRAMS: ReadonlyArray<[exercise: string, program: string]> = [
  ['08', 'server.ts'],
  ['10', 'web.ts'],
];

/** Section 4's servers: Node's `http`, then the references of 08 and 10; with `--mine 10`, 10's and yours. */
export function webServers(mine?: string): WebSpec[] {
  const specs: WebSpec[] = [{ id: 'node-http', label: "Node's http", kind: 'baseline', command: nodeHttpServer() }];
  const add = (tree: 'solutions' | 'exercises', nn: string) => {
    const file = programFile(tree, nn, new Map(WEB_PROGRAMS).get(nn)!);
    if (!file) return;
    const prefix = tree === 'exercises' ? 'yours ' : '';
    specs.push({
      id: `${prefix}${file.name}`,
      label: `${prefix}${file.name} (--quiet)`,
      kind: tree === 'exercises' ? 'mine' : 'pack',
      command: [process.execPath, '--import', 'tsx', file.path, '--quiet', '--port', '0'],
    });
  };
  if (mine === '10') {
    add('solutions', '10');
    add('exercises', '10');
  } else for (const [nn] of WEB_PROGRAMS) add('solutions', nn);
  return specs;
}

/** One server's requests per second, or why there is no figure (a server that died says why it did). */
async function measureOne(server: Server, plan: WebPlan, loadgen: LoadGenerator, warmUp: boolean): Promise<number | string> {
  let figure: number | string;
  try {
    figure = await requestsPerSecond(server.port, plan, loadgen, warmUp);
  } catch (error) {
    figure = (error as Error).message;
  }
  await new Promise((resolve) => setTimeout(resolve, 50)); // wrk ran synchronously: let an exit be heard
  return server.exitedWith ? `exited (${server.exitedWith}): ${server.lastError()}` : figure;
}

/**
 * Every server in turn, each round starting with another; each one's requests/s, and its ratio to Node's
 * `http` round by round. A server that cannot start or be measured gets its error, and the others go on.
 */
export async function measureWeb(plan: WebPlan, specs: WebSpec[], loadgen: LoadGenerator): Promise<WebFigures> {
  const started = await Promise.allSettled(specs.map((spec) => Server.start(spec.label, spec.command, plan.serverCore)));
  const rounds = new Map(specs.map((s) => [s.id, [] as number[]]));
  const errors = new Map(specs.flatMap((s, i) => (started[i]!.status === 'rejected' ? [[s.id, String((started[i] as PromiseRejectedResult).reason)]] : [])));
  try {
    for (let round = 0; round < plan.rounds; round++) {
      for (let i = 0; i < specs.length; i++) {
        const at = (i + round) % specs.length;
        const [spec, server] = [specs[at]!, started[at]!];
        if (errors.has(spec.id) || server.status === 'rejected') continue;
        const figure = await measureOne(server.value, plan, loadgen, round === 0);
        if (typeof figure === 'string') errors.set(spec.id, figure);
        else rounds.get(spec.id)!.push(figure);
      }
    }
  } finally {
    for (const server of started) if (server.status === 'fulfilled') server.value.stop();
  }
  const node = rounds.get('node-http')!;
  const row = (spec: WebSpec): WebRow => {
    const rps = rounds.get(spec.id)!;
    const error = errors.get(spec.id) ?? (node.length < rps.length ? "Node's http gave no figure" : undefined);
    if (error || !rps.length) return { id: spec.id, label: spec.label, kind: spec.kind, rounds: rps, error: error ?? 'no figure' };
    const ratios = rps.map((r, i) => r / node[i]!);
    return {
      id: spec.id,
      label: spec.label,
      kind: spec.kind,
      rounds: rps.map(Math.round),
      rps: Math.round(median(rps)),
      ratios: ratios.map(round2),
      ratio: round2(median(ratios)),
      ratioMin: round2(Math.min(...ratios)),
      ratioMax: round2(Math.max(...ratios)),
    };
  };
  return { client: hasWrk ? 'wrk' : 'the load generator', conns: plan.conns, servers: specs.map(row) };
}
