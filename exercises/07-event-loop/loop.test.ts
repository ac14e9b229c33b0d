import { spawn } from 'node:child_process';
import { describe, expect, test, vi } from 'vitest';
import { bundleScript, cpuSecondsOf, deferCleanup, mapToTarget, RUNNABLE_CLOCK, watchIdle, within } from '../../fixtures/harness/index.ts';
import { IDLE_WINDOW_MS, idleSeen, spins } from '../../fixtures/harness/echo-suite.ts';
import { TestSelector, VirtualClock } from '../../fixtures/harness/loop-testing.ts';
import { socketpair, type Socket } from '../../fixtures/native/index.ts';
import { Future, type Coroutine } from './future.ts';
import { EventLoop } from './loop.ts';

/** A loop on virtual time: a wait for a timer returns at once and moves the clock on. */
function virtualLoop() {
  const clock = new VirtualClock();
  const selector = new TestSelector({ clock });
  const loop = new EventLoop({ clock: clock.time, selector });
  deferCleanup(() => loop.close());
  return { loop, clock, selector };
}


function pair(): [Socket, Socket] {
  const [a, b] = socketpair();
  a.setBlocking(false);
  b.setBlocking(false);
  deferCleanup(() => {
    a.close();
    b.close();
  });
  return [a, b];
}

describe('07-event-loop: EventLoop', () => {
  test('callSoon callbacks run in order on the next turn; what they schedule waits for the turn after', () => {
    const { loop } = virtualLoop();
    const log: string[] = [];
    loop.callSoon(() => {
      log.push('a');
      loop.callSoon(() => log.push('c (scheduled by a)'));
    });
    loop.callSoon(() => log.push('b'));
    expect(log, 'callSoon only queues the callback: nothing runs before runOnce').toEqual([]);
    loop.runOnce();
    expect(log, 'one turn runs exactly the callbacks that were ready when it began, first in first out').toEqual(['a', 'b']);
    loop.runOnce();
    expect(log).toEqual(['a', 'b', 'c (scheduled by a)']);
  });

  test('a callback that throws is reported, and the other callbacks of the turn still run', () => {
    const { loop } = virtualLoop();
    const bug = new Error('a bug in one callback');
    const log: string[] = [];
    loop.callSoon(() => {
      throw bug;
    });
    loop.callSoon(() => log.push('the next callback'));
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(() => loop.runOnce(), 'an error thrown by one callback must not come out of runOnce: it would stop every task on the loop').not.toThrow();
      expect(log, 'the callbacks after the one that threw still run, in the same turn').toEqual(['the next callback']);
      expect(printed.mock.calls.flat(), 'report the error (console.error) rather than swallow it').toContain(bug);
    } finally {
      printed.mockRestore();
    }
  });

  test('timers fire in deadline order, ties in the order they were scheduled (virtual clock)', () => {
    const { loop } = virtualLoop();
    const fired: string[] = [];
    const at = (name: string) => () => fired.push(`${name}@${loop.time()}`);
    loop.callLater(3, at('three'));
    loop.callLater(1, at('one-first'));
    loop.callAt(2, at('two'));
    loop.callLater(1, at('one-second'));
    loop.callLater(0.5, at('half'));
    loop.callLater(4, () => loop.stop());
    loop.runForever();
    expect(fired, 'keep timers in a heap ordered by (deadline, order scheduled); run each once its deadline has come').toEqual([
      'half@0.5',
      'one-first@1',
      'one-second@1',
      'two@2',
      'three@3',
    ]);
  });

  test('a cancelled timer does not run', () => {
    const { loop } = virtualLoop();
    const fired: string[] = [];
    const timer = loop.callLater(1, () => fired.push('cancelled one'));
    loop.callLater(2, () => fired.push('kept'));
    loop.callLater(3, () => loop.stop());
    timer.cancel();
    loop.runForever();
    expect(fired, 'skip timers whose handle was cancelled').toEqual(['kept']);
  });

  test('the select timeout is 0 when a callback is ready, the nearest timer otherwise, none with only I/O to wait for', () => {
    const { loop, selector } = virtualLoop();
    loop.callSoon(() => {});
    loop.callLater(5, () => {});
    loop.runOnce();
    expect(selector.timeouts, 'with a callback ready, runOnce must only look at the sockets (timeout 0)').toEqual([0]);
    loop.runOnce();
    expect(selector.timeouts[1], 'with nothing ready, wait until the nearest timer is due (5 s), not 0: a timeout of 0 spins the CPU').toBe(5);
    const [a, b] = pair();
    loop.addReader(a, () => loop.removeReader(a));
    b.send('wake up');
    loop.runOnce();
    expect(selector.timeouts[2], 'with no callback ready and no timer, wait as long as it takes (null): only I/O can wake the loop').toBeNull();
  });

  test('addReader runs the callback when the socket is readable, until removeReader', () => {
    const loop = new EventLoop({ selector: new TestSelector() });
    deferCleanup(() => loop.close());
    const [a, b] = pair();
    const got: string[] = [];
    loop.addReader(a, () => {
      got.push(a.recv(100).toString());
      if (got.length === 2) {
        expect(loop.removeReader(a), 'removeReader returns true when something was watching').toBe(true);
        loop.stop();
      }
    });
    b.send('one');
    loop.runOnce();
    expect(got, 'the reader callback runs in the turn after its socket became readable').toEqual(['one']);
    b.send('two');
    loop.runForever();
    expect(got).toEqual(['one', 'two']);
    expect(loop.removeReader(a), 'removeReader returns false when nothing was watching').toBe(false);
  });

  test('a socket can have a reader and a writer at once, and each is removed on its own', () => {
    const loop = new EventLoop({ selector: new TestSelector() });
    deferCleanup(() => loop.close());
    const [a, b] = pair();
    const log: string[] = [];
    loop.addReader(a, () => {
      log.push(`read ${a.recv(100)}`);
      loop.removeReader(a);
      loop.stop();
    });
    loop.addWriter(a, () => {
      log.push('writable');
      loop.removeWriter(a); // a connected socket stays writable: watch it only while you have something to send
      b.send('ping');
    });
    loop.runForever();
    expect(log, 'addWriter on a socket that already has a reader must keep the reader (modify the key, do not replace it)').toEqual([
      'writable',
      'read ping',
    ]);
  });

  test('a reader or writer removed during a turn never runs again, even when its socket was ready in that turn', () => {
    const { loop } = virtualLoop();
    for (const role of ['reader', 'writer'] as const) {
      const [a, b] = pair();
      const [c, d] = pair();
      const ran: string[] = [];
      const add = role === 'reader' ? loop.addReader.bind(loop) : loop.addWriter.bind(loop);
      const remove = role === 'reader' ? loop.removeReader.bind(loop) : loop.removeWriter.bind(loop);
      // Both sockets are ready in the same turn; whichever callback runs first removes both.
      const callback = (name: string) => () => {
        ran.push(name);
        remove(a);
        remove(c);
      };
      add(a, callback('a'));
      add(c, callback('c'));
      if (role === 'reader') {
        b.send('for a');
        d.send('for c');
      } // (a connected socket with room in its send buffer is writable at once)
      loop.runOnce();
      expect(
        ran,
        `two ${role}s were ready in one turn, and the first to run removed both, yet the other ran too: a ${role} ` +
          `removed during a turn must not run afterwards, not even in the turn where its socket was ready ` +
          `(its callback may be queued already)`,
      ).toHaveLength(1);
      for (let turn = 0; turn < 3; turn++) {
        loop.callSoon(() => {}); // a turn that only looks at the sockets (timeout 0)
        loop.runOnce();
      }
      expect(ran, `a removed ${role} must not run in later turns either, though its socket is still ready`).toHaveLength(1);
    }
  });

  test('a socket waited on again in the same turn stays registered; the selector hears only of real changes', () => {
    const selector = new TestSelector();
    const loop = new EventLoop({ selector });
    deferCleanup(() => loop.close());
    const [a, b] = pair();
    const got: string[] = [];
    function onReadable(): void {
      got.push(a.recv(100).toString());
      loop.removeReader(a); // as readable() does when its wait is over…
      if (got.length < 3) loop.addReader(a, onReadable); // …and sockRecv() again, in the same step
    }
    loop.addReader(a, onReadable);
    for (const message of ['one', 'two', 'three']) {
      b.send(message);
      loop.runOnce();
    }
    expect(got, 'the reader runs once per message').toEqual(['one', 'two', 'three']);
    const fd = a.fileno();
    expect(
      selector.changes,
      'removeReader then addReader in one turn must not unregister and register the socket again (two epoll_ctl calls ' +
        'for nothing, on every wait); a socket nobody waits on at the end of a turn is unregistered then',
    ).toEqual([`register fd ${fd} read`, `unregister fd ${fd}`]);
  });

  test('a socket closed after its reader left, and its fd reused by a new socket in the same turn, is no trouble', () => {
    const loop = new EventLoop({ selector: new TestSelector({ limitMs: 3000 }) });
    deferCleanup(() => loop.close());
    const [a, b] = pair();
    const got: string[] = [];
    loop.addReader(a, () => {
      got.push(`old: ${a.recv(100)}`);
      loop.removeReader(a);
      const fd = a.fileno();
      a.close();
      const [c, d] = pair(); // the kernel hands out the lowest free fd: a's
      expect(c.fileno(), 'the new socket should reuse the fd of the one just closed').toBe(fd);
      loop.addReader(c, () => {
        got.push(`new: ${c.recv(100)}`);
        loop.removeReader(c);
        loop.stop();
      });
      d.send('hello');
    });
    b.send('bye');
    loop.runForever();
    expect(got, "the new socket's reader is called: the key left by the closed one is dropped, not modified").toEqual(['old: bye', 'new: hello']);
  });

  test("runUntilComplete returns the coroutine's result, or throws its error", () => {
    const { loop } = virtualLoop();
    function* compute(): Coroutine<number> {
      const half = new Future<number>(loop);
      loop.callLater(1, () => half.setResult(21));
      return 2 * (yield* half);
    }
    expect(loop.runUntilComplete(compute()), 'runUntilComplete wraps the coroutine in a Task and runs the loop until it is done').toBe(42);
    function* fail(): Coroutine<number> {
      throw new Error('failed on the loop');
    }
    expect(() => loop.runUntilComplete(fail()), "the task's error comes out of runUntilComplete").toThrow('failed on the loop');
  });

  test('runUntilComplete on a loop stopped while main still runs says so', () => {
    const { loop } = virtualLoop();
    function* patient(): Coroutine<string> {
      loop.callSoon(() => loop.stop());
      yield* new Future<void>(loop); // never done
      return 'never';
    }
    expect(
      () => loop.runUntilComplete(patient()),
      'stop() ends the loop before main is done: there is no result to return, and the error must say why (not only that the future is not ready)',
    ).toThrow(/stopped before/i);
  });

  test('an idle loop with only a far timer blocks in select instead of spinning', async () => {
    // In a child process: a loop that waits for a timer an hour away, blocked in epoll_wait.
    const loopModule = mapToTarget(new URL('./loop.ts', import.meta.url).pathname);
    const script = `
      import { EventLoop } from ${JSON.stringify(loopModule)};
      const loop = new EventLoop();
      loop.callLater(3600, () => loop.stop());
      loop.callSoon(() => process.stdout.write('idle\\n'));
      loop.runForever();`;
    const program = await bundleScript(script);
    deferCleanup(() => program.remove());
    const child = spawn(process.execPath, program.nodeArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    deferCleanup(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const started = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => output.includes('idle') && resolve());
      void exited.then((code) => reject(new Error(`The loop in the child process exited (code ${code}) instead of waiting for its timer. It printed:\n${output}`)));
    });
    await within(started, 15_000, () => `The loop in the child process did not run its first callback within 15 s. It printed:\n${output}`);
    const cpuBefore = cpuSecondsOf(child.pid!);
    const watch = await watchIdle(child.pid!, IDLE_WINDOW_MS);
    const cpu = cpuSecondsOf(child.pid!) - cpuBefore;
    expect(
      spins(watch),
      `waiting for a timer an hour away, the loop was ${idleSeen(watch)}, and used ${cpu.toFixed(2)} s of CPU: ` +
        `it spins. runOnce must pass the time until the nearest timer to select(), not 0, so that the process ` +
        `sleeps in the kernel. (Measured as ${RUNNABLE_CLOCK}.)`,
    ).toBe(false);
  });
});
