/**
 * 06-delegation — `yield*` and its return value.
 *
 * Builds on 05: adds delegation. A generator hands control to a sub-generator: everything the
 * sub-generator yields goes out to the caller, everything the caller sends (`next(v)`) or throws
 * (`throw(e)`) goes in to the sub-generator, and when the sub-generator returns, its return value
 * becomes the value of the delegation. Python writes it `yield from`; JavaScript writes `yield*`.
 * `delegate` spells out by hand what `yield*` does, so you can see there is no magic in it.
 */

/**
 * What `yield* sub` does, written as a loop over `next`, `throw` and `return`.
 *
 * Discussion: the delegator never looks at the values; it is a pipe. The one subtle part is the
 * `finally`: when the caller calls `return()` on the delegator (it stops listening), the
 * sub-generator must be closed too, or its own `finally` blocks never run and whatever it holds
 * (a socket, a file) leaks. `yield*` does the same.
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
    // Leaving early (the caller called return(), or threw and sub did not catch it): close sub.
    if (!finished) sub.return(undefined as R);
  }
}

/** The same, as the language writes it. */
export function* delegateWithYieldStar<Y, R, N>(sub: Generator<Y, R, N>): Generator<Y, R, N> {
  return yield* sub;
}
