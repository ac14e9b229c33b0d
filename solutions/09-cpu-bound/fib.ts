/**
 * 09-cpu-bound — the work: Fibonacci numbers, computed the slow way on purpose (given: nothing to write here).
 *
 * The naive recursion makes about fib(n) calls: fib(25) takes a millisecond, fib(32) a few dozen,
 * fib(40) seconds. It never waits for anything, so it never yields: while it runs, nothing else in
 * its thread runs. That is the point of this exercise.
 */

/** The largest n a client may ask for: fib(78) is the last one a JavaScript number holds exactly. */
export const MAX_N = 78;

/** The nth Fibonacci number: fib(0) = 0, fib(1) = 1, fib(n) = fib(n - 1) + fib(n - 2). */
export function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

/** The n a line asks for, or an error message to send back (`error: …`). */
export function parseN(line: string): number | Error {
  const text = line.trim();
  if (!/^\d+$/.test(text)) return new Error(`not a number: ${JSON.stringify(text)}`);
  const n = Number(text);
  return n <= MAX_N ? n : new Error(`${n} is too large: ask for fib(n) with n ≤ ${MAX_N}`);
}
