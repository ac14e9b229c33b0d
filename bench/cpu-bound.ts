/**
 * Exercise 09's figures, Beazley's perf2: how many fast requests per second (fib(1), one client asking
 * as fast as it is answered) the fib server answers alone, and while another client keeps asking for a
 * large fib — computed inline, and in a pool of worker processes.
 *
 *   node --import tsx bench/cpu-bound.ts [--seconds 3] [--n 30] [--rounds 3]
 *
 * The fast client is Node's `net`: enough here, where the figures to compare are tens against
 * thousands of requests per second. Medians of interleaved rounds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { seconds: { type: 'string' }, n: { type: 'string' }, rounds: { type: 'string' } } });
const SECONDS = Number(values.seconds ?? 3);
const LARGE_N = Number(values.n ?? 30);
const ROUNDS = Number(values.rounds ?? 3);
const SERVER = new URL('../solutions/09-cpu-bound/server.ts', import.meta.url).pathname;

async function startServer(workers: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER, '--port', '0', '--workers', String(workers)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
      // with workers, wait until they have started too, so the first figures are not start-up
      if (match && (output.match(/^worker \d+ started$/gm)?.length ?? 0) >= workers) resolve(Number(match[1]));
      if (output.length > 1e5) output = output.slice(-1e4); // the server logs every request
    });
    child.once('exit', () => reject(new Error(`the server exited: ${output}`)));
  });
  child.stdout!.resume();
  return { child, port };
}

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

async function fastRequestsPerSecond(workers: number, withLargeFib: boolean): Promise<number> {
  const { child, port } = await startServer(workers);
  try {
    if (withLargeFib) askRepeatedly(await open(port), `${LARGE_N}\n`);
    const fast = await open(port);
    await warmUp(fast); // the workers answer once they have started (node takes a second or so)
    const started = performance.now();
    const counter = askRepeatedly(fast, '1\n');
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    const count = await counter.stop();
    const elapsed = (performance.now() - started) / 1000;
    return count / elapsed;
  } finally {
    process.kill(-child.pid!, 'SIGKILL');
  }
}

const cases = [
  { name: 'inline, alone', workers: 0, large: false },
  { name: 'pool of 2, alone', workers: 2, large: false },
  { name: `inline, with a fib(${LARGE_N}) client`, workers: 0, large: true },
  { name: `pool of 2, with a fib(${LARGE_N}) client`, workers: 2, large: true },
];
const results = new Map<string, number[]>(cases.map((c) => [c.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const c of cases) results.get(c.name)!.push(await fastRequestsPerSecond(c.workers, c.large));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`fast requests (fib(1)) per second, median of ${ROUNDS} rounds of ${SECONDS} s:`);
for (const c of cases) console.log(`  ${c.name.padEnd(36)} ${Math.round(median(results.get(c.name)!)).toLocaleString('en')}`);
