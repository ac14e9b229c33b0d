import { describe, expect, test } from 'vitest';
import { deferCleanup } from '../../fixtures/harness/index.ts';
import { TestSelector, VirtualClock } from '../../fixtures/harness/loop-testing.ts';
import { BlockingIOError, ConnectionRefusedError, createServer, SHUT_WR, socket, socketpair, type Socket } from '../../fixtures/native/index.ts';
import { CancelledError, type Coroutine } from './future.ts';
import { EventLoop } from './loop.ts';
import { createTask, gather, sleep, sockAccept, sockConnect, sockRecv, sockSendall, timeout, TimeoutError, waitFor } from './coroutines.ts';
import { currentTask } from './task.ts';

/** A loop on virtual time, so that `sleep(10)` takes no time at all. */
function virtualLoop(): { loop: EventLoop; clock: VirtualClock; selector: TestSelector } {
  const clock = new VirtualClock();
  const selector = new TestSelector({ clock });
  const loop = new EventLoop({ clock: clock.time, selector });
  deferCleanup(() => loop.close());
  return { loop, clock, selector };
}

function nonBlocking(sock: Socket): Socket {
  sock.setBlocking(false);
  deferCleanup(() => sock.close());
  return sock;
}

describe('07-event-loop: coroutines', () => {
  test('sleep resumes after that much loop time, and sleepers wake in order', () => {
    const { loop } = virtualLoop();
    const woke: string[] = [];
    function* sleeper(name: string, seconds: number): Coroutine<void> {
      yield* sleep(seconds);
      woke.push(`${name}@${loop.time()}`);
    }
    function* main(): Coroutine<void> {
      const tasks = [createTask(sleeper('slow', 2)), createTask(sleeper('fast', 1))];
      for (const task of tasks) yield* task;
    }
    loop.runUntilComplete(main());
    expect(woke, 'sleep(s) is a Future that a timer (callLater) resolves s seconds later').toEqual(['fast@1', 'slow@2']);
  });

  test('sleep(0) lets the other ready tasks run: two counting tasks interleave', () => {
    const { loop } = virtualLoop();
    const trace: string[] = [];
    function* counter(name: string): Coroutine<void> {
      for (let i = 1; i <= 3; i++) {
        trace.push(`${name}${i}`);
        yield* sleep(0);
      }
    }
    function* main(): Coroutine<void> {
      yield* gather(counter('a'), counter('b'));
    }
    loop.runUntilComplete(main());
    expect(trace, 'each sleep(0) hands the loop back, so the tasks take turns (round robin, as in 04)').toEqual(['a1', 'b1', 'a2', 'b2', 'a3', 'b3']);
  });

  test('a sleep or a waitFor that ends early leaves no timer behind', () => {
    const { loop, selector } = virtualLoop();
    function* main(): Coroutine<string> {
      yield* waitFor(sleep(1), 50); // in time, at 1 s: waitFor's own timer (50 s) is not needed any more
      try {
        yield* waitFor(sleep(60), 1); // cut short at 2 s: the sleep's timer (61 s) is not needed any more
        return 'slept';
      } catch (error) {
        return `${(error as Error).name} at ${loop.time()}`;
      }
    }
    expect(loop.runUntilComplete(main())).toBe('TimeoutError at 2');
    const waitsBefore = selector.timeouts.length;
    loop.callLater(98, () => loop.stop()); // due at 100 s
    loop.runForever();
    const waits = selector.timeouts.slice(waitsBefore);
    expect(
      waits,
      `idle from 2 s until its only timer at 100 s, the loop waited ${waits.join(' s, then ')} s: it woke up for ` +
        'timers nobody needs. A sleep cut short, and a waitFor whose awaitable finished in time, must cancel their timers',
    ).toEqual([98]);
  });

  test('gather returns the results in the order given, not the order they finished', () => {
    const { loop } = virtualLoop();
    function* after(seconds: number, value: string): Coroutine<string> {
      yield* sleep(seconds);
      return value;
    }
    function* main(): Coroutine<[string, string, string]> {
      return yield* gather(after(3, 'first'), after(1, 'second'), after(2, 'third'));
    }
    expect(
      loop.runUntilComplete(main()),
      'gather must put each result at the position of its awaitable: results[index] = ..., not results.push(...)',
    ).toEqual(['first', 'second', 'third']);
    expect(loop.time(), 'the three ran at once: all done when the slowest was (3 s), not after 1 + 2 + 3 s').toBe(3);
  });

  test('gather fails with the first error', () => {
    const { loop } = virtualLoop();
    function* ok(): Coroutine<string> {
      yield* sleep(2);
      return 'ok';
    }
    function* failing(): Coroutine<string> {
      yield* sleep(1);
      throw new Error('one of them failed');
    }
    function* main(): Coroutine<string> {
      try {
        yield* gather(ok(), failing());
        return 'no error';
      } catch (error) {
        return `caught "${(error as Error).message}" at ${loop.time()} s`;
      }
    }
    expect(loop.runUntilComplete(main()), 'the first error fails the gather at once, without waiting for the others').toBe(
      'caught "one of them failed" at 1 s',
    );
  });

  test('cancelling a gather cancels everything it runs', () => {
    const { loop } = virtualLoop();
    const log: string[] = [];
    function* sleeper(name: string): Coroutine<void> {
      try {
        yield* sleep(60);
        log.push(`${name} finished`);
      } finally {
        log.push(`${name} finally at ${loop.time()}`);
      }
    }
    function* main(): Coroutine<string[]> {
      const both = gather(sleeper('a'), sleeper('b'));
      yield* sleep(1);
      both.cancel();
      yield* sleep(100);
      return log;
    }
    expect(
      loop.runUntilComplete(main()),
      'cancelling the Future that gather returned must cancel every task it runs (their finally runs then), not let them go on to finish',
    ).toEqual(['a finally at 1', 'b finally at 1']);
  });

  test('waitFor returns the result when it comes in time', () => {
    const { loop } = virtualLoop();
    function* quick(): Coroutine<string> {
      yield* sleep(1);
      return 'in time';
    }
    function* main(): Coroutine<string> {
      return yield* waitFor(quick(), 5);
    }
    expect(loop.runUntilComplete(main())).toBe('in time');
    expect(loop.time(), 'waitFor returns as soon as the result is there, not when the timeout would have been').toBe(1);
  });

  test('waitFor raises TimeoutError and cancels what it waited on, whose finally runs', () => {
    const { loop } = virtualLoop();
    const log: string[] = [];
    function* slow(): Coroutine<string> {
      try {
        yield* sleep(60);
        log.push('slow finished');
        return 'too late';
      } catch (error) {
        log.push(`slow got ${(error as Error).name}`);
        throw error;
      } finally {
        log.push(`slow finally at ${loop.time()}`);
      }
    }
    function* main(): Coroutine<string> {
      try {
        return yield* waitFor(slow(), 2);
      } catch (error) {
        log.push(`main got ${(error as Error).name} at ${loop.time()}`);
        return 'timed out';
      }
    }
    expect(loop.runUntilComplete(main())).toBe('timed out');
    expect(
      log,
      'at the timeout, waitFor cancels the task (a CancelledError reaches its sleep, its finally runs) and then raises TimeoutError',
    ).toEqual(['slow got CancelledError', 'slow finally at 2', 'main got TimeoutError at 2']);
    expect(new TimeoutError('x')).toBeInstanceOf(Error);
    expect(new CancelledError('x')).toBeInstanceOf(Error);
  });

  test('timeout runs its body in the calling task, and turns the cancellation at the deadline into TimeoutError', () => {
    const { loop } = virtualLoop();
    const log: string[] = [];
    function* quick(): Coroutine<string> {
      yield* sleep(1);
      return 'in time';
    }
    function* slow(): Coroutine<string> {
      const task = currentTask();
      try {
        yield* sleep(60);
        return 'too late';
      } finally {
        log.push(`slow finally at ${loop.time()}, in ${task === currentTask() ? 'the same' : 'another'} task`);
      }
    }
    function* main(): Coroutine<string[]> {
      const me = currentTask();
      const first = yield* timeout(5, quick());
      log.push(`quick: ${first} at ${loop.time()}`);
      try {
        yield* timeout(2, slow());
      } catch (error) {
        log.push(`slow: ${(error as Error).name} at ${loop.time()}, ${me === currentTask() ? 'in main' : 'not in main'}`);
      }
      yield* sleep(10); // the first timer (due at 6) must not fire: it was cancelled when quick() returned
      return log;
    }
    expect(loop.runUntilComplete(main()), 'timeout(seconds, body) is `yield* body`, with a timer that cancels the current task (currentTask()) when the time is up').toEqual([
      'quick: in time at 1',
      'slow finally at 3, in the same task',
      'slow: TimeoutError at 3, in main',
    ]);
  });

  test('timeout lets a cancellation that is not its own go through as CancelledError', () => {
    const { loop } = virtualLoop();
    function* guarded(): Coroutine<string> {
      try {
        yield* timeout(10, sleep(60));
        return 'slept';
      } catch (error) {
        return `${(error as Error).name} at ${loop.time()}`;
      }
    }
    function* main(): Coroutine<string> {
      const task = createTask(guarded());
      yield* sleep(1);
      task.cancel();
      return yield* task;
    }
    expect(
      loop.runUntilComplete(main()),
      'the task was cancelled by someone else at 1 s, long before its deadline (10 s): timeout() must let that ' +
        'CancelledError through, and turn into TimeoutError only the cancellation its own timer caused',
    ).toBe('CancelledError at 1');
  });

  test('a sockRecv or sockSendall cancelled while it waits leaves its socket unwatched', () => {
    const { loop, selector } = virtualLoop();
    const [a, b] = socketpair();
    nonBlocking(a);
    nonBlocking(b);
    function* timesOut(wait: Coroutine<unknown>): Coroutine<string> {
      try {
        yield* waitFor(wait, 1);
        return 'done in time';
      } catch (error) {
        return (error as Error).name;
      }
    }
    expect(loop.runUntilComplete(timesOut(sockRecv(a, 100))), 'nothing was sent: sockRecv waits until it is cancelled').toBe('TimeoutError');
    expect(
      [...selector.getMap().keys()],
      `the loop still watches fd ${a.fileno()} after the sockRecv waiting on it was cancelled: a wait must remove its ` +
        'reader however it ends, cancelled too',
    ).toEqual([]);
    for (let full = false; !full; ) {
      try {
        b.send(Buffer.alloc(65536));
      } catch (error) {
        if (!(error instanceof BlockingIOError)) throw error;
        full = true; // nobody reads a: b's buffers are full
      }
    }
    expect(loop.runUntilComplete(timesOut(sockSendall(b, 'more'))), 'the socket is full: sockSendall waits until it is cancelled').toBe(
      'TimeoutError',
    );
    expect(
      [...selector.getMap().keys()],
      `the loop still watches fd ${b.fileno()} after the sockSendall waiting on it was cancelled: a wait must remove its ` +
        'writer however it ends, cancelled too',
    ).toEqual([]);
  });

  test('sockConnect, sockAccept, sockSendall and sockRecv carry a conversation over loopback', () => {
    const loop = new EventLoop({ selector: new TestSelector() });
    deferCleanup(() => loop.close());
    const listener = nonBlocking(createServer(['127.0.0.1', 0]));
    const address = listener.getsockname();
    const big = Buffer.alloc(2 * 1024 * 1024, 'z'); // more than the socket buffers hold: sendall must wait for room

    function* serve(): Coroutine<number> {
      const [client] = yield* sockAccept(listener);
      deferCleanup(() => client.close());
      expect(client.getBlocking(), 'sockAccept returns the client socket non-blocking, ready for the loop').toBe(false);
      let total = 0;
      for (let data = yield* sockRecv(client, 65536); data.length > 0; data = yield* sockRecv(client, 65536)) total += data.length;
      yield* sockSendall(client, `got ${total}`);
      client.close();
      return total;
    }
    function* talk(): Coroutine<string> {
      const sock = nonBlocking(socket());
      yield* sockConnect(sock, address);
      yield* sockSendall(sock, big);
      sock.shutdown(SHUT_WR); // "I am done sending": the server's recv returns empty
      const reply = yield* sockRecv(sock, 100);
      return reply.toString();
    }
    function* main(): Coroutine<[number, string]> {
      return yield* gather(serve(), talk());
    }
    expect(loop.runUntilComplete(main()), 'both sides run as tasks on one loop: every wait must give the loop back').toEqual([
      big.length,
      `got ${big.length}`,
    ]);
  });

  test('sockConnect to a closed port raises ConnectionRefusedError', () => {
    const loop = new EventLoop({ selector: new TestSelector() });
    deferCleanup(() => loop.close());
    const unused = createServer(['127.0.0.1', 0]);
    const address = unused.getsockname();
    unused.close(); // nobody listens there now
    function* main(): Coroutine<string> {
      const sock = nonBlocking(socket());
      try {
        yield* sockConnect(sock, address);
        return 'connected';
      } catch (error) {
        return (error as Error).constructor.name;
      }
    }
    expect(
      loop.runUntilComplete(main()),
      'a non-blocking connect fails later: once the socket is writable, read SO_ERROR (getsockopt) and raise it',
    ).toBe(ConnectionRefusedError.name);
  });
});
