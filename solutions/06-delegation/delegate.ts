/**
 * 06-delegation — `yield*` and its return value.
 *
 * Builds on 05: adds delegation. A generator hands control to a sub-generator: everything the
 * sub-generator yields goes out to the caller, everything the caller sends (`next(v)`) or throws
 * (`throw(e)`) goes in to the sub-generator, and when the sub-generator returns, its return value
 * becomes the value of the delegation. Python writes it `yield from`; JavaScript writes `yield*`.
 * `delegate` spells out by hand what `yield*` does, so you can see there is no magic in it — all of
 * it but one thing: the value given to `return(v)` is out of a hand-written delegate's sight, so only
 * `yield*` can hand it on to the sub-generator (the README shows where that makes a difference).
 */

/**
 * Delegates to `sub`, by hand: every value `sub` yields goes out to the caller, in order; every value
 * the caller sends goes in to `sub`, in order; an error the caller throws in is thrown into `sub` at
 * its `yield` (caught there, the delegation goes on; not caught, it comes out of the delegator,
 * which is then finished); when `sub` returns, its return value is the delegator's. If the caller
 * stops early with `return()`, `sub` is closed too (its `finally` blocks run), and the delegator ends.
 */
export function* delegate<Y, R, N>(sub: Generator<Y, R, N>): Generator<Y, R, N> {
  let step = sub.next(undefined as N); // start it: the first next() carries no value, as in 05
  let finished = false;
  try {
    while (!step.done) {
      let sent: N;
      try {
        sent = yield step.value; // out to our caller; what it sends comes back here
      } catch (error) {
        step = sub.throw(error); // the caller threw into us: it is the sub-generator's to handle
        continue;
      }
      step = sub.next(sent);
    }
    finished = true;
    return step.value; // the sub-generator's return value is the value of the delegation
  } finally {
    // Leaving early (the caller called return(), or threw and sub did not catch it): close sub, or
    // its own finally blocks never run and whatever it holds (a socket, a file) leaks. The value the
    // caller gave return() cannot be read here: sub is closed with undefined, and what it answers is
    // dropped.
    if (!finished) sub.return(undefined as R);
  }
}

/**
 * The same delegation, as the language writes it: `yield*`. It does all that `delegate` does, and
 * one thing more: it hands `return(v)` on to `sub` itself (see the README).
 */
export function* delegateWithYieldStar<Y, R, N>(sub: Generator<Y, R, N>): Generator<Y, R, N> {
  return yield* sub;
}
