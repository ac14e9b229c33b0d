/**
 * Section 5 of `npm run bench`: exercise 09's figures, Beazley's perf2. How many fast requests per
 * second (fib(1), one client asking as soon as it is answered) the fib server answers alone, and while
 * another client keeps asking for a large fib — computed inline, and in a pool of worker processes.
 *
 * The servers are not pinned to a core: the pool's point is that its workers run on the other cores.
 * The fast client is Node's `net`, in this process: enough where the figures to compare are tens
 * against thousands of requests per second.
 */
import { connect, type Socket } from 'node:net';
import { Server } from './processes.ts';
import { median } from './stats.ts';

export interface CpuBoundPlan {
  rounds: number;
  ms: number;
  /** The large fib the second client keeps asking for. */
  largeN: number;
}

export interface CpuBoundCase {
  label: string;
  workers: number;
  withLargeFib: boolean;
  /** Fast requests per second, median of the rounds, and each round's. */
  rps: number;
  rounds: number[];
}

const POOL_SIZE = 2;

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.setNoDelay(true);
    socket.once('error', reject);
    socket.on('error', () => {}); // the server is killed at the end of a run
  });
}

/** Sends `line` and waits for an answer line, over and over, until `stop()`; returns how many were answered. */
function askRepeatedly(socket: Socket, line: string): { stop: () => Promise<number> } {
  let answered = 0;
  let running = true;
  let buffered = '';
  let finish: (() => void) | undefined;
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    while (buffered.includes('\n')) {
      buffered = buffered.slice(buffered.indexOf('\n') + 1);
      answered++;
      if (running) socket.write(line);
      else finish?.();
    }
  });
  socket.write(line);
  return {
    stop: () =>
      new Promise((resolve) => {
        running = false;
        finish = () => resolve(answered);
        setTimeout(() => resolve(answered), 60_000).unref(); // a large fib may still be running
      }),
  };
}

/** One fast request answered: the server, and a worker for the fast client, are up. */
function warmUp(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.once('data', () => resolve());
    socket.write('1\n');
  });
}

/** Fast requests per second on a running server, alone or beside a client that keeps asking for a large fib. */
async function fastRequestsPerSecond(plan: CpuBoundPlan, server: Server, withLargeFib: boolean): Promise<number> {
  const sockets: Socket[] = [];
  try {
    if (withLargeFib) {
      sockets.push(await open(server.port));
      askRepeatedly(sockets[0]!, `${plan.largeN}\n`);
    }
    const fast = await open(server.port);
    sockets.push(fast);
    await warmUp(fast); // the workers answer once they have started (node takes a second or so)
    const started = performance.now();
    const counter = askRepeatedly(fast, '1\n');
    await new Promise((resolve) => setTimeout(resolve, plan.ms));
    const count = await counter.stop();
    return count / ((performance.now() - started) / 1000);
  } finally {
    for (const socket of sockets) socket.destroy();
    // A large fib still running for the client just gone ends within ~12 ms: let it, before the next measurement.
    if (withLargeFib) await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function startFibServer(workers: number): Promise<Server> {
  const command = [process.execPath, '--import', 'tsx', 'solutions/09-cpu-bound/server.ts', '--workers', String(workers), '--port', '0'];
  return Server.start(`09-cpu-bound --workers ${workers}`, command, null);
}

export async function measureCpuBound(plan: CpuBoundPlan): Promise<CpuBoundCase[]> {
  const cases = [
    { label: 'inline, alone', workers: 0, withLargeFib: false },
    { label: `pool of ${POOL_SIZE}, alone`, workers: POOL_SIZE, withLargeFib: false },
    { label: `inline, with a fib(${plan.largeN}) client`, workers: 0, withLargeFib: true },
    { label: `pool of ${POOL_SIZE}, with a fib(${plan.largeN}) client`, workers: POOL_SIZE, withLargeFib: true },
  ];
  // One server of each kind for every round: a measurement's clients leave before the next one's come.
  const servers = new Map<number, Server>();
  const rounds = cases.map(() => [] as number[]);
  try {
    for (const workers of [0, POOL_SIZE]) servers.set(workers, await startFibServer(workers));
    for (let round = 0; round < plan.rounds; round++) {
      for (const [i, c] of cases.entries()) rounds[i]!.push(await fastRequestsPerSecond(plan, servers.get(c.workers)!, c.withLargeFib));
    }
  } finally {
    for (const server of servers.values()) server.stop();
  }
  return cases.map((c, i) => ({ ...c, rps: Math.round(median(rounds[i]!)), rounds: rounds[i]!.map(Math.round) }));
}
