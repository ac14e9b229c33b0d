/**
 * Section 4 of `npm run bench`: exercise 08's web server (the 00 app served by your 07 loop) against
 * Node's own `http` serving the same page, under the same keep-alive load — C connections, one `GET /`
 * in flight on each — as a ratio, in interleaved rounds.
 *
 * The client is wrk when it is installed (`apt-get install wrk`): written in C, it costs the servers
 * least. Without it, the load generator's `http` op plays the clients, on the binding's own epoll. 08 runs
 * with `--quiet`, as Node's server logs nothing either: a log line per request is a write to a pipe.
 */
import { spawnSync } from 'node:child_process';
import { index } from '../solutions/00-web-app/views.ts';
import { canPin, LoadGenerator, Server } from './processes.ts';
import { median, round2 } from './stats.ts';

export interface WebFigures {
  client: string;
  conns: number;
  /** Requests per second in each round: 08 and Node's http, measured one after the other. */
  rounds: Array<{ ours: number; node: number }>;
  ours: number;
  node: number;
  /** Median of the per-round ratios ours / node, with their range. */
  ratio: number;
  ratioMin: number;
  ratioMax: number;
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

export async function measureWeb(plan: WebPlan, loadgen: LoadGenerator): Promise<WebFigures> {
  const ours = await Server.start('08-async-web', [process.execPath, '--import', 'tsx', 'solutions/08-async-web/server.ts', '--quiet', '--port', '0'], plan.serverCore);
  const node = await Server.start("Node's http", nodeHttpServer(), plan.serverCore).catch((error: unknown) => {
    ours.stop();
    throw error;
  });
  const rounds: WebFigures['rounds'] = [];
  try {
    for (let round = 0; round < plan.rounds; round++) {
      const first = round === 0;
      rounds.push({ ours: await requestsPerSecond(ours.port, plan, loadgen, first), node: await requestsPerSecond(node.port, plan, loadgen, first) });
    }
  } finally {
    ours.stop();
    node.stop();
  }
  const ratios = rounds.map((r) => r.ours / r.node);
  return {
    client: hasWrk ? 'wrk' : 'the load generator',
    conns: plan.conns,
    rounds: rounds.map((r) => ({ ours: Math.round(r.ours), node: Math.round(r.node) })),
    ours: Math.round(median(rounds.map((r) => r.ours))),
    node: Math.round(median(rounds.map((r) => r.node))),
    ratio: round2(median(ratios)),
    ratioMin: round2(Math.min(...ratios)),
    ratioMax: round2(Math.max(...ratios)),
  };
}
