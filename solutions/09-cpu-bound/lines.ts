/**
 * 09-cpu-bound — reading a socket line by line, on the loop (given: nothing to write here).
 *
 * Builds on 07's `sockRecv`. TCP delivers bytes, not lines: one `recv` may hold half a line, or three.
 * A `LineReader` keeps what came after the last newline for the next `readLine`. The server reads its
 * clients with one, and the pool reads its workers' answers with another.
 */
import type { Socket } from '../../fixtures/native/index.ts';
import { sockRecv } from '../07-event-loop/coroutines.ts';
import type { Coroutine } from '../07-event-loop/future.ts';

export class LineReader {
  /** Received, not yet returned: the start of the next line. */
  #buffer = '';

  constructor(readonly sock: Socket) {}

  /**
   * The next line, without its `\n`; undefined at end-of-file, once the peer is done sending (a last
   * line without `\n` is dropped).
   */
  *readLine(): Coroutine<string | undefined> {
    for (;;) {
      const newline = this.#buffer.indexOf('\n');
      if (newline !== -1) {
        const line = this.#buffer.slice(0, newline);
        this.#buffer = this.#buffer.slice(newline + 1);
        return line.replace(/\r$/, '');
      }
      const data = yield* sockRecv(this.sock, 4096);
      if (data.length === 0) return undefined;
      this.#buffer += data.toString('latin1');
    }
  }
}
