/**
 * 07-event-loop — the coroutines programs are written with.
 *
 * Builds on loop.ts: adds what a program calls. Each helper turns "wait until X" into a Future the
 * calling coroutine yields with `yield*`: a timer resolves it (`sleep`), a readable or writable
 * socket does (`sockRecv`, `sockSendall`, …), other tasks do (`gather`). Written this way, a server
 * reads top to bottom like the blocking server of 01, and waits without blocking anyone.
 */
import { BlockingIOError, osError, SO_ERROR, SOL_SOCKET, type Address, type Socket } from '../../fixtures/native/index.ts';
import { CancelledError, Future, type Coroutine } from './future.ts';
import { getRunningLoop } from './loop.ts';
import { currentTask, Task } from './task.ts';

/** Raised by `waitFor` when the time is up. */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** What a coroutine can wait on: a Future (a Task is one), or a coroutine to run as a Task. */
export type Awaitable<T> = Future<T> | Coroutine<T>;

/** Starts `coro` as a Task on the running loop: it runs concurrently with the caller. */
export function createTask<T>(coro: Coroutine<T>): Task<T> {
  return new Task(coro, getRunningLoop());
}

function ensureFuture<T>(awaitable: Awaitable<T>): Future<T> {
  return awaitable instanceof Future ? awaitable : createTask(awaitable);
}

/**
 * Resolves `future` unless it is done already (it may have been cancelled meanwhile): asyncio's
 * `_set_result_unless_cancelled`, for the futures a timer or a ready socket wakes.
 */
function setResultUnlessDone(future: Future<void>): void {
  if (!future.done()) future.setResult();
}

/**
 * Waits `seconds` on the loop's clock, and gives the loop back meanwhile: `sleep(0)` lets every other
 * ready task run first. A sleep cut short (its task cancelled) leaves no timer behind.
 */
export function* sleep(seconds: number): Coroutine<void> {
  const loop = getRunningLoop();
  const wakeUp = new Future<void>(loop);
  const timer = loop.callLater(seconds, () => setResultUnlessDone(wakeUp));
  try {
    yield* wakeUp;
  } finally {
    timer.cancel(); // cancelled while asleep: the timer must not fire for nobody
  }
}

/** Waits until `sock` is readable. The reader is removed however the wait ends, cancelled too. */
function* readable(sock: Socket): Coroutine<void> {
  const loop = getRunningLoop();
  const ready = new Future<void>(loop);
  loop.addReader(sock, () => setResultUnlessDone(ready));
  try {
    yield* ready;
  } finally {
    loop.removeReader(sock);
  }
}

/** Waits until `sock` is writable. The writer is removed however the wait ends, cancelled too. */
function* writable(sock: Socket): Coroutine<void> {
  const loop = getRunningLoop();
  const ready = new Future<void>(loop);
  loop.addWriter(sock, () => setResultUnlessDone(ready));
  try {
    yield* ready;
  } finally {
    loop.removeWriter(sock);
  }
}

/**
 * Accepts a connection on a non-blocking listening socket; the client comes back non-blocking too.
 * It waits first, then accepts: a server calls it when no client is pending, most of the time. Woken
 * with nobody to accept after all (the kernel says "not yet"), it waits again; other errors go up.
 */
export function* sockAccept(server: Socket): Coroutine<[Socket, Address]> {
  for (;;) {
    yield* readable(server);
    try {
      const [client, address] = server.accept();
      client.setBlocking(false);
      return [client, address];
    } catch (error) {
      // Readable, and yet nothing there (another task took it, or the client gave up): wait again.
      if (!(error instanceof BlockingIOError)) throw error;
    }
  }
}

/**
 * Up to `size` bytes from a non-blocking socket; an empty Buffer at end-of-file (the peer is done
 * sending, though it may still read). Like `sockAccept`, it waits, then reads: after a reply, the
 * next request is rarely there yet, and a `recv` that fails with BlockingIOError costs more than the
 * wait. Woken with nothing to read after all, it waits again.
 */
export function* sockRecv(sock: Socket, size: number): Coroutine<Buffer> {
  for (;;) {
    yield* readable(sock);
    try {
      return sock.recv(size);
    } catch (error) {
      if (!(error instanceof BlockingIOError)) throw error;
    }
  }
}

/**
 * Sends every byte of `data`, in order, and gives the loop back whenever the socket's buffer is full,
 * until there is room again. A send usually goes through at once: it tries before it waits.
 */
export function* sockSendall(sock: Socket, data: Buffer | string): Coroutine<void> {
  let rest = typeof data === 'string' ? Buffer.from(data) : data;
  while (rest.length > 0) {
    try {
      rest = rest.subarray(sock.send(rest));
      continue;
    } catch (error) {
      if (!(error instanceof BlockingIOError)) throw error;
    }
    yield* writable(sock);
  }
}

/**
 * Connects a non-blocking socket. The kernel answers EINPROGRESS at once and finishes the handshake
 * in the background; the socket turns writable when it is over, and SO_ERROR says how it went. A
 * connection that fails throws the OSError it failed with (ConnectionRefusedError, …).
 */
export function* sockConnect(sock: Socket, address: Address): Coroutine<void> {
  try {
    sock.connect(address);
    return;
  } catch (error) {
    if (!(error instanceof BlockingIOError)) throw error;
  }
  yield* writable(sock);
  const errno = sock.getsockopt(SOL_SOCKET, SO_ERROR);
  if (errno !== 0) throw osError(errno, `connect to ${address[0]}:${address[1]}`);
}

/**
 * Runs every awaitable concurrently (a coroutine as a task of its own) and returns a Future of their
 * results, in the order given, not the order they finished. The first error fails the whole gather
 * at once; cancelling the gather cancels every one of them.
 */
export function gather<T extends unknown[]>(...awaitables: { [K in keyof T]: Awaitable<T[K]> }): Future<T> {
  const loop = getRunningLoop();
  const children = awaitables.map((a) => ensureFuture(a as Awaitable<unknown>));
  const outer = new Future<T>(loop);
  const results = new Array(children.length);
  let pending = children.length;
  if (pending === 0) outer.setResult(results as T);
  children.forEach((child, index) => {
    child.addDoneCallback(() => {
      if (outer.done()) return;
      if (child.cancelled()) return outer.cancel();
      const error = child.exception();
      if (error !== undefined) return outer.setException(error);
      results[index] = child.result(); // by position, however they finish
      if (--pending === 0) outer.setResult(results as T);
    });
  });
  outer.addDoneCallback(() => {
    if (outer.cancelled()) for (const child of children) child.cancel();
  });
  return outer;
}

/**
 * Waits for `awaitable` at most `timeoutSeconds`, and returns its result (or throws its error) as soon
 * as it is done. If it is not done by then, it is cancelled, its `finally` blocks run before this
 * returns, and `TimeoutError` is raised.
 */
export function* waitFor<T>(awaitable: Awaitable<T>, timeoutSeconds: number): Coroutine<T> {
  const loop = getRunningLoop();
  const inner = ensureFuture(awaitable);
  const wakeUp = new Future<void>(loop);
  const timer = loop.callLater(timeoutSeconds, () => setResultUnlessDone(wakeUp));
  inner.addDoneCallback(() => setResultUnlessDone(wakeUp));
  try {
    yield* wakeUp;
  } catch (error) {
    inner.cancel(); // we were cancelled ourselves: so is what we waited for
    throw error;
  } finally {
    timer.cancel();
  }
  if (inner.done()) return inner.result();
  inner.cancel();
  yield* finished(inner);
  throw new TimeoutError(`Timed out after ${timeoutSeconds} s`);
}

/**
 * Runs `body` in the calling task, for at most `timeoutSeconds` (asyncio's `async with timeout()`).
 * When the time is up the task is cancelled where it waits, and the CancelledError that comes out of
 * `body` becomes a TimeoutError. Unlike `waitFor`, there is no second task to start and to wait for:
 * a server can bound every request this way at the price of one timer. A cancellation that does not
 * come from that timer goes on as a CancelledError; and once `body` is over, the timer cancels nothing.
 */
export function* timeout<T>(timeoutSeconds: number, body: Coroutine<T>): Coroutine<T> {
  const task = currentTask();
  let expired = false;
  const timer = getRunningLoop().callLater(timeoutSeconds, () => {
    expired = true;
    task.cancel();
  });
  try {
    return yield* body;
  } catch (error) {
    if (expired && error instanceof CancelledError) throw new TimeoutError(`Timed out after ${timeoutSeconds} s`);
    throw error;
  } finally {
    timer.cancel();
  }
}

/** Waits until `future` is done, whatever its outcome. */
function* finished(future: Future<unknown>): Coroutine<void> {
  const done = new Future<void>(future.loop);
  future.addDoneCallback(() => setResultUnlessDone(done));
  yield* done;
}
