/**
 * 05-coroutines — the state of a generator, which JavaScript keeps to itself.
 *
 * Complete `tracked`. Python answers `inspect.getgeneratorstate(gen)`; JavaScript has no such call,
 * but every way into a generator goes through `next`, `throw` or `return`: wrap those three.
 */

export type GeneratorState = 'created' | 'suspended' | 'running' | 'closed';

/** A generator that also tells its state. Use it exactly as the generator it wraps. */
export interface Tracked<Y, R, N> extends Generator<Y, R, N> {
  readonly state: GeneratorState;
}

/** Wraps `gen` (not yet started) so that `.state` follows it through its life. */
export function tracked<Y, R, N>(gen: Generator<Y, R, N>): Tracked<Y, R, N> {
  // TODO: keep `let state: GeneratorState = 'created'`, and return an object with a `state` getter
  // and next/throw/return that each set state = 'running', call the same method of gen, and then set
  // 'suspended' or 'closed' from the result (or 'closed' if it threw). [Symbol.iterator]() returns this.
  void gen;
  throw new Error('TODO(05-coroutines): tracked(gen) should wrap next/throw/return so that .state is created, running, suspended or closed');
}
