/**
 * 06-delegation — `yield*` and its return value.
 *
 * Complete `delegate` (by hand) and `delegateWithYieldStar` (one line), then run:  npm test -- exercises/06
 */

/**
 * What `yield* sub` does, written as a loop over `next`, `throw` and `return`: pass every value
 * `sub` yields out to the caller, pass every value the caller sends (and every error it throws) in
 * to `sub`, return what `sub` returns, and close `sub` if the caller stops early.
 */
export function* delegate<Y, R, N>(sub: Generator<Y, R, N>): Generator<Y, R, N> {
  // TODO: start sub with sub.next(); while the step is not done, `yield step.value` and give sub
  // whatever comes back (sub.next(sent)). When the caller throws into you, the yield throws: catch
  // it and hand it to sub.throw(error). When sub is done, return step.value. And if you leave early
  // (the caller called return() on you), a `finally` must call sub.return() so sub's finally runs.
  void sub;
  throw new Error('TODO(06-delegation): delegate(sub) should pass values, sent values and errors through to sub, and return its result');
}

/** The same, as the language writes it. */
export function* delegateWithYieldStar<Y, R, N>(sub: Generator<Y, R, N>): Generator<Y, R, N> {
  // TODO: one line. `yield* sub` is an expression: its value is what sub returns.
  void sub;
  throw new Error('TODO(06-delegation): delegateWithYieldStar(sub) should return the value of yield* sub');
}
