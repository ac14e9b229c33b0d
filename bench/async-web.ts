/**
 * Exercise 08's figures: requests per second of the 00 web app on your loop (solutions/08-async-web)
 * against Node's own `http` serving the same page, under the same keep-alive load, as a ratio.
 *
 *   node --import tsx bench/async-web.ts [--conns 50] [--seconds 3] [--rounds 5]
 *
 * The load client here is Node's `net` (C keep-alive connections, one request in flight on each): it
 * saturates one core near 45k requests/s, so a server faster than that is under-measured. wrk is the
 * better client (`apt-get install wrk`); when it is on the PATH, it is used instead. Server and client
 * are pinned to different cores when `taskset` is there; rounds are interleaved, and medians quoted.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { index } from '../solutions/00-web-app/views.ts';

const { values } = parseArgs({ options: { conns: { type: 'string' }, seconds: { type: 'string' }, rounds: { type: 'string' } } });
const CONNS = Number(values.conns ?? 50);
const SECONDS = Number(values.seconds ?? 3);
const ROUNDS = Number(values.rounds ?? 5);
const canPin = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const hasWrk = spawnSync('which', ['wrk']).status === 0;

const NODE_HTTP = `
const body = Buffer.from(process.env.BODY, 'utf8');
const server = require('node:http').createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
});
server.listen(0, '127.0.0.1', () => console.log('listening on 127.0.0.1:' + server.address().port));
`;

const servers = {
  '08-async-web (your loop)': [process.execPath, '--import', 'tsx', new URL('../solutions/08-async-web/server.ts', import.meta.url).pathname, '--port', '0'],
  "Node's http": [process.execPath, '-e', NODE_HTTP],
};

async function start(command: string[]): Promise<{ child: ChildProcess; port: number }> {
  const [file, ...args] = canPin ? ['taskset', '-c', '0', ...command] : command;
  const child = spawn(file!, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BODY: index() }, detached: true });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
      if (output.length > 1e5) output = output.slice(-1e4); // 08 logs every request
    });
    child.once('exit', () => reject(new Error(`the server exited: ${output}`)));
  });
  return { child, port };
}

/** C keep-alive connections, each sending GET / as soon as the last response is in; responses per second. */
async function netLoad(port: number): Promise<number> {
  const request = 'GET / HTTP/1.1\r\nHost: bench\r\n\r\n';
  let answered = 0;
  let running = true;
  const sockets = await Promise.all(
    Array.from({ length: CONNS }, () => new Promise<ReturnType<typeof connect>>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
      socket.setNoDelay(true);
      socket.on('error', () => {});
    })),
  );
  for (const socket of sockets) {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) return;
        const length = Number(/content-length: *(\d+)/i.exec(buffered.subarray(0, end).toString('latin1'))?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.subarray(end + 4 + length);
        answered++;
        if (running) socket.write(request);
      }
    });
    socket.write(request);
  }
  await new Promise((resolve) => setTimeout(resolve, 500)); // warm-up
  const from = answered;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  const rate = (answered - from) / ((performance.now() - started) / 1000);
  running = false;
  for (const socket of sockets) socket.destroy();
  return rate;
}

function wrkLoad(port: number): number {
  const wrk = ['wrk', '-t1', `-c${CONNS}`, `-d${SECONDS}s`, `http://127.0.0.1:${port}/`];
  const result = spawnSync(canPin ? 'taskset' : wrk[0]!, canPin ? ['-c', '1', ...wrk] : wrk.slice(1), { encoding: 'utf8' });
  return Number(/Requests\/sec:\s*([\d.]+)/.exec(result.stdout)?.[1] ?? NaN);
}

const rates = new Map<string, number[]>(Object.keys(servers).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, command] of Object.entries(servers)) {
    const { child, port } = await start(command);
    try {
      rates.get(name)!.push(hasWrk ? wrkLoad(port) : await netLoad(port));
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
    }
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const [ours, node] = [...rates.values()].map(median) as [number, number];
console.log(`GET / keep-alive, C = ${CONNS}, ${hasWrk ? 'wrk' : "a Node net client (install wrk for a faster one)"}, median of ${ROUNDS} rounds of ${SECONDS} s${canPin ? ', pinned' : ''}:`);
for (const [name, xs] of rates) console.log(`  ${name.padEnd(28)} ${Math.round(median(xs)).toLocaleString('en')} req/s`);
const ratios = rates.get(Object.keys(servers)[0]!)!.map((x, i) => x / rates.get(Object.keys(servers)[1]!)![i]!);
console.log(`  ratio: ${(ours / node).toFixed(2)}× (per round ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`);
