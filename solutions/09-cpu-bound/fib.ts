/**
 * 09-cpu-bound — the work: Fibonacci numbers, computed the slow way on purpose (given: nothing to write here).
 *
 * The naive recursion makes 2·fib(n+1) − 1 calls (331 million for fib(40)), so each n costs about
 * 1.6 times the one before. Measured with `node -e` and this very function on a 2-core VM (Intel
 * Xeon, Node 20.20): fib(25) about a millisecond, fib(30) 7 ms, fib(32) 20 ms, fib(34) 50 ms,
 * fib(40) about a second. It never waits for anything, so it never yields: while it runs, nothing
 * else in its thread runs. That is the point of this exercise.
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
