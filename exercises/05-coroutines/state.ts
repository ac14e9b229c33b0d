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

/**
 * Wraps `gen` (not yet started) so that `.state` follows it through its life: `'created'` until it is
 * first resumed, `'running'` while its body runs (only the body itself can see that), `'suspended'`
 * while it is paused at a `yield`, `'closed'` once it has finished: returned, or left by an error.
 * Everything else is `gen`'s own: `next`, `throw` and `return` act on it and answer what it answers,
 * and the wrapper is iterable like it.
 */
export function tracked<Y, R, N>(gen: Generator<Y, R, N>): Tracked<Y, R, N> {
  throw new Error("TODO(05-coroutines): tracked(gen) must behave as gen, with a .state that follows it: 'created', 'running', 'suspended' or 'closed'");
}
