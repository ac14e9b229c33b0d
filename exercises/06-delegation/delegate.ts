/**
 * 06-delegation — `yield*` and its return value.
 *
 * Complete `delegate` (by hand) and `delegateWithYieldStar` (one line), then run:  npm test -- exercises/06
 */

/**
 * Delegates to `sub`, by hand: every value `sub` yields goes out to the caller, in order; every value
 * the caller sends goes in to `sub`, in order; an error the caller throws in is thrown into `sub` at
 * its `yield` (caught there, the delegation goes on; not caught, it comes out of the delegator,
 * which is then finished); when `sub` returns, its return value is the delegator's. If the caller
 * stops early with `return()`, `sub` is closed too (its `finally` blocks run), and the delegator ends.
 */
export function* delegate<Y, R, N>(sub: Generator<Y, R, N>): Generator<Y, R, N> {
  throw new Error('TODO(06-delegation): delegate(sub) must pass values, sent values and errors through to sub, return its result, and close it if stopped early');
}

/**
 * The same delegation, as the language writes it: `yield*`. It does all that `delegate` does, and
 * one thing more: it hands `return(v)` on to `sub` itself (see the README).
 */
export function* delegateWithYieldStar<Y, R, N>(sub: Generator<Y, R, N>): Generator<Y, R, N> {
  throw new Error('TODO(06-delegation): delegateWithYieldStar(sub) must delegate to sub with yield*, and return what sub returns');
}
