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

/** Resolves `future` unless it is done already (it may have been cancelled meanwhile). */
function settle(future: Future<void>): void {
  if (!future.done()) future.setResult();
}

/** Waits `seconds` on the loop's clock. `sleep(0)` lets every other ready task run first. */
export function* sleep(seconds: number): Coroutine<void> {
  // TODO: a new Future on getRunningLoop(); loop.callLater(seconds, () => settle(future)); then
  // `yield* future`, in a try/finally that cancels the timer (a cancelled sleeper must not leave it).
  void seconds;
  throw new Error('TODO(07-event-loop): sleep(seconds) should wait on a Future that a timer resolves');
}

/** Waits until `sock` is readable. The reader is removed however the wait ends. */
function* readable(sock: Socket): Coroutine<void> {
  // TODO: a Future that loop.addReader(sock, …) settles; `yield* future`; and in a finally,
  // loop.removeReader(sock), however the wait ends.
  void sock;
  throw new Error('TODO(07-event-loop): readable(sock) should wait on a Future that the loop settles when sock is readable');
}

/** Waits until `sock` is writable. */
function* writable(sock: Socket): Coroutine<void> {
  // TODO: as readable(), with addWriter and removeWriter.
  void sock;
  throw new Error('TODO(07-event-loop): writable(sock) should wait on a Future that the loop settles when sock is writable');
}

/**
 * Accepts a connection on a non-blocking listening socket; the client comes back non-blocking too.
 * It waits first, then accepts: a server calls it when no client is pending, most of the time.
 */
export function* sockAccept(server: Socket): Coroutine<[Socket, Address]> {
  // TODO: loop: `yield* readable(server)`, then try server.accept(); make the client non-blocking and
  // return [client, address]. A BlockingIOError means nothing was there after all: wait again.
  // Rethrow any other error.
  void [server, BlockingIOError];
  throw new Error('TODO(07-event-loop): sockAccept() should accept a client, waiting for the server socket to be readable');
}

/**
 * Up to `size` bytes from a non-blocking socket; an empty Buffer when the peer has closed. Like
 * `sockAccept`, it waits, then reads: after a reply, the next request is rarely there yet, and a
 * `recv` that fails with BlockingIOError costs more than the wait.
 */
export function* sockRecv(sock: Socket, size: number): Coroutine<Buffer> {
  // TODO: as sockAccept: `yield* readable(sock)`, then return sock.recv(size); on BlockingIOError, wait again.
  void [sock, size];
  throw new Error('TODO(07-event-loop): sockRecv() should receive, waiting for the socket to be readable');
}

/** Sends every byte, waiting for room in the socket's buffer whenever it is full. */
export function* sockSendall(sock: Socket, data: Buffer | string): Coroutine<void> {
  // TODO: while bytes are left: try sock.send(rest) and keep what it did not take; on
  // BlockingIOError (the kernel's buffer is full), `yield* writable(sock)`.
  void [sock, data];
  throw new Error('TODO(07-event-loop): sockSendall() should send every byte, waiting for the socket to be writable when it is full');
}

/**
 * Connects a non-blocking socket. The kernel answers EINPROGRESS at once and finishes the handshake
 * in the background; the socket turns writable when it is over, and SO_ERROR says how it went.
 */
export function* sockConnect(sock: Socket, address: Address): Coroutine<void> {
  // TODO: sock.connect(address) on a non-blocking socket throws BlockingIOError (EINPROGRESS): the
  // handshake goes on in the kernel. `yield* writable(sock)`, then read the outcome with
  // sock.getsockopt(SOL_SOCKET, SO_ERROR): not 0 → throw osError(errno, `connect to host:port`).
  void [sock, address, osError, SO_ERROR, SOL_SOCKET];
  throw new Error('TODO(07-event-loop): sockConnect() should start a connect and wait until the socket is writable');
}

/**
 * Runs every awaitable concurrently and resolves with their results in the order given (not the
 * order they finished). The first error fails the whole gather; cancelling it cancels them all.
 */
export function gather<T extends unknown[]>(...awaitables: { [K in keyof T]: Awaitable<T[K]> }): Future<T> {
  // TODO: make each awaitable a Future (ensureFuture); a new outer Future; a results array. On each
  // child's done callback: if outer is done, do nothing; a cancelled child cancels outer; a failed one
  // fails outer (setException); else store the result at the child's index, and when the last one is
  // in, outer.setResult(results). If outer is cancelled, cancel every child. Return outer.
  void [awaitables, ensureFuture];
  throw new Error('TODO(07-event-loop): gather() should run its awaitables at once and resolve with their results in order');
}

/**
 * Waits for `awaitable` at most `timeoutSeconds`. If it is not done by then, it is cancelled (its
 * `finally` blocks run before this returns) and `TimeoutError` is raised.
 */
export function* waitFor<T>(awaitable: Awaitable<T>, timeoutSeconds: number): Coroutine<T> {
  // TODO: inner = ensureFuture(awaitable); wait on a Future settled by whichever comes first: a
  // timer (callLater(timeoutSeconds, …)) or inner's done callback. Cancel the timer afterwards. If
  // inner is done, return inner.result(). If not: inner.cancel(), wait until it is finished
  // (finished(inner)), so its finally has run, and throw new TimeoutError(...).
  void [awaitable, timeoutSeconds];
  throw new Error('TODO(07-event-loop): waitFor() should raise TimeoutError and cancel what it waited on when the time is up');
}

/**
 * Runs `body` in the calling task, for at most `timeoutSeconds` (asyncio's `async with timeout()`).
 * When the time is up the task is cancelled where it waits, and the CancelledError that comes out of
 * `body` becomes a TimeoutError. Unlike `waitFor`, there is no second task to start and to wait for:
 * a server can bound every request this way at the price of one timer.
 */
export function* timeout<T>(timeoutSeconds: number, body: Coroutine<T>): Coroutine<T> {
  // TODO: task = currentTask(); a timer (callLater(timeoutSeconds, …)) that remembers it expired and
  // calls task.cancel(). Then `return yield* body`, in a try: a CancelledError that comes out once the
  // timer has expired becomes new TimeoutError(...); any other error goes on as it is. Finally,
  // cancel the timer (body finished in time: it must not cancel the task later).
  void [timeoutSeconds, body, currentTask, CancelledError];
  throw new Error('TODO(07-event-loop): timeout() should run the body in this task, and cancel it with a TimeoutError when the time is up');
}

/** Waits until `future` is done, whatever its outcome. */
function* finished(future: Future<unknown>): Coroutine<void> {
  const done = new Future<void>(future.loop);
  future.addDoneCallback(() => settle(done));
  yield* done;
}
