/**
 * 08-async-web — running the loop so that a signal can reach it (given: nothing to write here).
 *
 * Builds on 07's `EventLoop`: adds a way to hear SIGTERM. The loop of 07 blocks in `epoll_wait` and
 * never returns to Node, and a JavaScript signal handler (`process.on('SIGTERM', …)`) runs only when
 * Node's own event loop gets a turn. The signal is caught at once, by libuv's C handler, which only
 * writes it into a pipe that Node's loop watches (libuv's self-pipe, src/unix/signal.c). The kernel
 * interrupts `epoll_wait` (EINTR: signal(7) says it is never restarted, SA_RESTART or not), and the
 * binding waits again. Python waits again too since PEP 475, but runs its Python-level handler first;
 * here no JavaScript runs until Node's loop turns.
 *
 * So `runUntilSignalled` runs the loop in slices: a timer on the loop stops it every `SLICE_SECONDS`,
 * control goes back to Node for one turn (`setImmediate`) — where Node runs any signal handler — and
 * the loop starts again. The handler itself does nothing but schedule `onSignal` on the loop
 * (`callSoon`), so the shutdown runs as a callback like any other, between two turns. Under load the
 * slices cost one `setImmediate` every SLICE_SECONDS; an idle server wakes up that often for nothing.
 *
 * (asyncio's answer is `loop.add_signal_handler`: a C-level handler writes a byte to a socketpair the
 * selector watches — the "self-pipe trick". JavaScript cannot run inside a C signal handler, so that
 * door is closed to us without native code of our own.)
 */
import { EventLoop } from '../07-event-loop/loop.ts';
import { Task } from '../07-event-loop/task.ts';
import type { Coroutine } from '../07-event-loop/future.ts';

/** How long the loop runs before Node gets a turn to deliver signals: the longest a SIGTERM waits. */
export const SLICE_SECONDS = 0.1;

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Runs `main` on `loop` to its end, and calls `onSignal` (on the loop) when SIGTERM or SIGINT arrives.
 * Returns at once: the loop runs from Node's event loop, slice after slice, and the process exits when
 * `main` ends (exit code 0), or when it fails (the error is thrown from the last slice: exit code 1).
 */
export function runUntilSignalled(loop: EventLoop, main: Coroutine<void>, onSignal: () => void): void {
  const handler = () => loop.callSoon(onSignal);
  for (const signal of SIGNALS) {
    // Discussion: runServer set these signals back to their default action behind Node's back, and a
    // listener that was there before (the tsx CLI adds one) makes Node believe its handler is still
    // installed. With no listener left, Node forgets it; the next `process.on` installs it afresh.
    process.removeAllListeners(signal);
    process.on(signal, handler);
  }
  const task = new Task(main, loop);
  task.addDoneCallback(() => loop.stop());

  const slice = () => {
    const pause = loop.callLater(SLICE_SECONDS, () => loop.stop());
    loop.runForever();
    pause.cancel();
    if (!task.done()) {
      setImmediate(slice);
      return;
    }
    for (const signal of SIGNALS) process.off(signal, handler);
    loop.close();
    task.result(); // throws what `main` threw
  };
  slice();
}
