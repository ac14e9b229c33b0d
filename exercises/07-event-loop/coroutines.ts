/**
 * 07-event-loop — the coroutines programs are written with.
 *
 * Complete each helper that throws TODO, then run:  npm test -- exercises/07-event-loop/coroutines
 * Each one turns "wait until X" into a Future the calling coroutine waits on with `yield*`.
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
  throw new Error('TODO(07-event-loop): sleep() must wait that long on the loop, leaving no timer behind');
}

/** Waits until `sock` is readable. The reader is removed however the wait ends, cancelled too. */
function* readable(sock: Socket): Coroutine<void> {
  throw new Error('TODO(07-event-loop): readable() must wait until the loop sees the socket readable');
}

/** Waits until `sock` is writable. The writer is removed however the wait ends, cancelled too. */
function* writable(sock: Socket): Coroutine<void> {
  throw new Error('TODO(07-event-loop): writable() must wait until the loop sees the socket writable');
}

/**
 * Accepts a connection on a non-blocking listening socket; the client comes back non-blocking too.
 * It waits first, then accepts: a server calls it when no client is pending, most of the time. Woken
 * with nobody to accept after all (the kernel says "not yet"), it waits again; other errors go up.
 */
export function* sockAccept(server: Socket): Coroutine<[Socket, Address]> {
  throw new Error('TODO(07-event-loop): sockAccept() must accept a client, waiting on the loop until one is there');
}

/**
 * Up to `size` bytes from a non-blocking socket; an empty Buffer at end-of-file (the peer is done
 * sending, though it may still read). Like `sockAccept`, it waits, then reads: after a reply, the
 * next request is rarely there yet, and a `recv` that fails with BlockingIOError costs more than the
 * wait. Woken with nothing to read after all, it waits again.
 */
export function* sockRecv(sock: Socket, size: number): Coroutine<Buffer> {
  throw new Error('TODO(07-event-loop): sockRecv() must receive, waiting on the loop until the socket has something');
}

/**
 * Sends every byte of `data`, in order, and gives the loop back whenever the socket's buffer is full,
 * until there is room again. A send usually goes through at once: it tries before it waits.
 */
export function* sockSendall(sock: Socket, data: Buffer | string): Coroutine<void> {
  throw new Error('TODO(07-event-loop): sockSendall() must send every byte, waiting on the loop whenever the socket is full');
}

/**
 * Connects a non-blocking socket. The kernel answers EINPROGRESS at once and finishes the handshake
 * in the background; the socket turns writable when it is over, and SO_ERROR says how it went. A
 * connection that fails throws the OSError it failed with (ConnectionRefusedError, …).
 */
export function* sockConnect(sock: Socket, address: Address): Coroutine<void> {
  throw new Error('TODO(07-event-loop): sockConnect() must connect, waiting on the loop for the handshake, and throw how it failed');
}

/**
 * Runs every awaitable concurrently (a coroutine as a task of its own) and returns a Future of their
 * results, in the order given, not the order they finished. The first error fails the whole gather
 * at once; cancelling the gather cancels every one of them.
 */
export function gather<T extends unknown[]>(...awaitables: { [K in keyof T]: Awaitable<T[K]> }): Future<T> {
  throw new Error('TODO(07-event-loop): gather() must run its awaitables at once and resolve with their results in order');
}

/**
 * Waits for `awaitable` at most `timeoutSeconds`, and returns its result (or throws its error) as soon
 * as it is done. If it is not done by then, it is cancelled, its `finally` blocks run before this
 * returns, and `TimeoutError` is raised.
 */
export function* waitFor<T>(awaitable: Awaitable<T>, timeoutSeconds: number): Coroutine<T> {
  throw new Error('TODO(07-event-loop): waitFor() must return in time, or cancel what it waited on and raise TimeoutError');
}

/**
 * Runs `body` in the calling task, for at most `timeoutSeconds` (asyncio's `async with timeout()`).
 * When the time is up the task is cancelled where it waits, and the CancelledError that comes out of
 * `body` becomes a TimeoutError. Unlike `waitFor`, there is no second task to start and to wait for:
 * a server can bound every request this way at the price of one timer. A cancellation that does not
 * come from that timer goes on as a CancelledError; and once `body` is over, the timer cancels nothing.
 */
export function* timeout<T>(timeoutSeconds: number, body: Coroutine<T>): Coroutine<T> {
  throw new Error('TODO(07-event-loop): timeout() must run the body in this task, and turn the cancellation at the deadline into TimeoutError');
}

/** Waits until `future` is done, whatever its outcome. */
function* finished(future: Future<unknown>): Coroutine<void> {
  const done = new Future<void>(future.loop);
  future.addDoneCallback(() => setResultUnlessDone(done));
  yield* done;
}
