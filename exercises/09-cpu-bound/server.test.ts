import { connect } from 'node:net';
import { describe, expect } from 'vitest';
import { concurrentTest, processGone, show, startServer, until, type Client, type ServerProcess } from '../../fixtures/harness/index.ts';

const server = new URL('./server.ts', import.meta.url);

/** Waits for the next line `client` receives, and returns it without its `\n`. */
async function readLine(srv: ServerProcess, client: Client, what: string, ms = 10_000): Promise<string> {
  await until(
    () => client.pending.includes('\n') || client.closedByPeer || srv.hasExited,
    ms,
    () => `client ${client.name} waited ${ms} ms for ${what}; it received ${show(client.pending)}.\n${srv.report()}`,
  );
  const newline = client.pending.indexOf('\n');
  if (newline === -1) {
    throw new Error(`client ${client.name} expected ${what}, but received ${show(client.pending)} and the connection closed.\n${srv.report()}`);
  }
  return (await client.read(newline + 1)).toString('latin1').trimEnd();
}

/** Waits until the server has printed a line matching `pattern` (or has exited), and returns the match. */
async function logged(srv: ServerProcess, pattern: RegExp, what: string, ms = 15_000): Promise<RegExpExecArray> {
  const explain = () => `the server should print ${what} (a line matching ${pattern}) within ${ms} ms.\n${srv.report()}`;
  await until(() => pattern.test(srv.stdout) || srv.hasExited, ms, explain);
  const match = pattern.exec(srv.stdout);
  if (!match) throw new Error(explain());
  return match;
}

/** The pids of the workers the server said it started (`worker PID started`). */
function startedWorkers(srv: ServerProcess): number[] {
  return [...srv.stdout.matchAll(/^worker (\d+) started$/gm)].map((m) => Number(m[1]));
}

/** A server with a pool of 2 workers, once it has said it started both. */
async function startPool(): Promise<ServerProcess> {
  const srv = await startServer(server, { args: ['--workers', '2'] });
  await until(
    () => startedWorkers(srv).length >= 2 || srv.hasExited,
    15_000,
    () => `with --workers 2 the pool should start two workers and print "worker PID started" for each.\n${srv.report()}`,
  );
  return srv;
}

/** Starting a server and its worker processes takes seconds on a busy machine; every wait inside is bounded on its own. */
const POOL_TEST_MS = 45_000;

const modes = [
  { mode: 'inline', args: ['--workers', '0'] },
  { mode: 'with a pool of 2 workers', args: ['--workers', '2'] },
];

describe.concurrent.each(modes)('09-cpu-bound: the fib server, $mode', ({ args }) => {
  concurrentTest('answers each line n with fib(n), and a line that is not a number with "error: …"', async () => {
    const srv = await startServer(server, { args });
    const client = await srv.connect('asker');
    const cases: [string, string][] = [['0', '0'], ['1', '1'], ['10', '55'], ['25', '75025']];
    const pooled = args[1] !== '0';
    for (const [n, want] of cases) {
      client.send(`${n}\n`);
      const answer = await readLine(srv, client, `fib(${n})`).catch((error: Error) => {
        throw new Error(
          pooled
            ? `${error.message}\nEvery line gets its answer. With a pool, a worker that has answered serves the next request: ` +
                `with 2 workers, the 3rd request waits for ever if neither came back.`
            : error.message,
        );
      });
      expect(answer, `fib(${n})`).toBe(want);
    }
    client.send('abc\n');
    expect(await readLine(srv, client, 'the answer to "abc"'), 'a line that is not a number gets "error: …", and the connection goes on').toMatch(/^error: /);
    client.send('12\n');
    expect(await readLine(srv, client, 'fib(12), after the error')).toBe('144');
  }, POOL_TEST_MS);
});

describe.concurrent('09-cpu-bound: inline, one long computation starves every client', () => {
  concurrentTest('a quick request sent while fib(34) runs inline is answered only after it', async () => {
    const srv = await startServer(server, { args: ['--workers', '0'] });
    const slow = await srv.connect('slow');
    slow.send('34\n');
    await logged(srv, /^#1 fib\(34\)$/m, '"#1 fib(34)" before it starts computing');
    const quick = await srv.connect('quick');
    quick.send('1\n');
    expect(await readLine(srv, quick, 'fib(1)')).toBe('1');
    expect(await readLine(srv, slow, 'fib(34)')).toBe('5702887');
    const order = [...srv.stdout.matchAll(/^#\d+ fib\((\d+)\) = /gm)].map((m) => `fib(${m[1]})`);
    expect(
      order,
      'computed inline, fib(34) never yields: the quick request, sent while it ran, waits until it is done. ' +
        'That is the problem this exercise is about (the pool is the way out).',
    ).toEqual(['fib(34)', 'fib(1)']);
  });
});

describe.concurrent('09-cpu-bound: a pool of worker processes, watched by the loop', () => {
  concurrentTest('a quick request is answered while fib(45) runs in a worker', async () => {
    const srv = await startServer(server, { args: ['--workers', '2'] });
    const slow = await srv.connect('slow');
    slow.send('45\n');
    await logged(srv, /^worker \d+: fib\(45\)$/m, '"worker PID: fib(45)" once a worker has the request');
    const quick = await srv.connect('quick');
    quick.send('1\n');
    const answer = await readLine(srv, quick, 'fib(1), while fib(45) (seconds of work: about 11 s here) runs in the other worker').catch((error: Error) => {
      throw new Error(
        `${error.message}\nThe loop must not wait for a worker: send the request, then yield* until the worker's socket is readable.`,
      );
    });
    expect(answer).toBe('1');
    expect(show(slow.pending), 'fib(45) takes several seconds: it cannot have been answered yet').toBe('""');
  }, POOL_TEST_MS);

  concurrentTest('a worker that dies gives its client an error, and a new worker takes its place', async () => {
    const srv = await startServer(server, { args: ['--workers', '2'] });
    const victim = await srv.connect('victim');
    victim.send('45\n');
    const pid = Number((await logged(srv, /^worker (\d+): fib\(45\)$/m, '"worker PID: fib(45)" once a worker has the request'))[1]);
    process.kill(pid, 'SIGKILL');
    const answer = await readLine(srv, victim, 'an answer after its worker was killed').catch((error: Error) => {
      throw new Error(
        `${error.message}\nThe client whose worker died gets a line that says so; it must not wait for ever. The death of a ` +
          `worker must show as end-of-file on the server's end of its socketpair.`,
      );
    });
    expect(answer, 'the client whose worker died gets a line that says so ("error: …")').toMatch(/^error: /);
    await until(
      () => startedWorkers(srv).length >= 3 || srv.hasExited,
      15_000,
      () => `the pool should start a new worker in place of the dead one (and print "worker PID started").\n${srv.report()}`,
    );
    const others = await srv.connect('after');
    others.send('20\n');
    victim.send('10\n');
    expect(await readLine(srv, others, 'fib(20) after the crash')).toBe('6765');
    expect(await readLine(srv, victim, 'fib(10), asked again on the same connection')).toBe('55');
  }, POOL_TEST_MS);

  concurrentTest('SIGTERM ends the server with status 0, and no worker outlives it', async () => {
    const srv = await startPool();
    const busy = await srv.connect('busy');
    busy.send('45\n');
    await logged(srv, /^worker \d+: fib\(45\)$/m, '"worker PID: fib(45)" once a worker has the request');
    expect(startedWorkers(srv).length, `the pool should start two workers.\n${srv.report()}`).toBeGreaterThanOrEqual(2);
    const exit = await srv.signal('SIGTERM', 10_000);
    expect(exit, `on SIGTERM the server stops and exits with status 0.\n${srv.report()}`).toEqual({ code: 0, signal: null });
    const workers = startedWorkers(srv);
    await until(
      () => workers.every(processGone),
      5000,
      () => `workers ${workers.filter((pid) => !processGone(pid)).join(', ')} still run after the server exited: stop them (close the pool) on the way out.`,
    );
  }, POOL_TEST_MS);

  concurrentTest('killed outright (SIGKILL), the server leaves nothing behind: its workers exit, its clients are hung up on, its port is free', async () => {
    const srv = await startPool();
    const client = await srv.connect('left behind');
    client.send('20\n');
    expect(await readLine(srv, client, 'fib(20)')).toBe('6765');
    await srv.signal('SIGKILL');
    const workers = startedWorkers(srv);
    const inherited =
      'A child process must hold only what it is handed: its own end of its socketpair as its stdin. Every socket ' +
      'the binding makes is close-on-exec, so a child gets no other; one made inheritable (setInheritable) is passed ' +
      'to every child started after it, and keeps its file open for as long as that child lives.';
    await until(
      () => workers.every(processGone),
      2000,
      () =>
        `workers ${workers.filter((pid) => !processGone(pid)).join(', ')} still run 2 s after the server was killed with SIGKILL ` +
        `(no code of the server ran: a worker only learns of it by reading end-of-file on its socket, which happens once ` +
        `no process holds the server's end any more). ${inherited}`,
    );
    await client.readToEnd({ timeoutMs: 2000, what: `the server was killed: its connection ends, unless a child still holds it. ${inherited}` });
    const refused = await new Promise<boolean>((resolve) => {
      const probe = connect(srv.port, '127.0.0.1');
      probe.on('connect', () => (probe.destroy(), resolve(false)));
      probe.on('error', () => resolve(true));
    });
    expect(refused, `after the server was killed, a new client could still connect to its port 127.0.0.1:${srv.port}. ${inherited}`).toBe(true);
  }, POOL_TEST_MS);
});
