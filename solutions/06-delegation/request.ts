/**
 * 06-delegation — why delegation makes coroutines composable.
 *
 * Builds on 05: a coroutine that is fed bytes as they arrive (`parser.next(chunk)`), in whatever
 * pieces the network cuts them into. `readLine` is a small coroutine that knows one thing — how to
 * collect bytes until the end of a line — and `parseRequest` is built from it with `yield*`, as a
 * function is built from calls. Whoever feeds the parser never knows the sub-coroutines exist.
 */

/** What a reading coroutine yields: "I need another chunk". The chunk comes back from `yield`. */
export const MORE = Symbol('more');
export type Reader<T> = Generator<typeof MORE, T, Buffer>;

/** What `readLine` returns: the line (without its line end), and the bytes that came after it. */
export type Line = [line: string, rest: Buffer];

export class IncompleteRequest extends Error {
  override name = 'IncompleteRequest';
}

/**
 * Collects bytes until a line end (`\r\n`, or a bare `\n`), asking for more chunks (yielding `MORE`)
 * only while no whole line has arrived, and returns the line, without its line end, and whatever
 * arrived after it. `pending` is what the previous read left over: a line already in it is returned
 * without asking for anything. An empty chunk means the peer is done sending (end-of-file) in the
 * middle of the line: an `IncompleteRequest`.
 */
export function* readLine(pending: Buffer = Buffer.alloc(0)): Reader<Line> {
  for (;;) {
    const end = pending.indexOf('\n');
    if (end !== -1) {
      const line = pending.subarray(0, end > 0 && pending[end - 1] === 0x0d ? end - 1 : end);
      return [line.toString('latin1'), pending.subarray(end + 1)];
    }
    const chunk = yield MORE;
    if (chunk.length === 0) throw new IncompleteRequest(`the connection closed in the middle of a line: ${JSON.stringify(pending.toString('latin1'))}`);
    pending = Buffer.concat([pending, chunk]);
  }
}

export interface Request {
  method: string;
  target: string;
  version: string;
  /** Header names in lower case, as HTTP names are case-insensitive. */
  headers: Record<string, string>;
  /** Bytes that came after the blank line: the start of a body, or of the next request. */
  rest: Buffer;
}

/**
 * Reads an HTTP request head — the request line, the headers, the blank line — built from
 * `readLine` with `yield*`, so the chunks fed to the parser reach whichever `readLine` is reading.
 * The request line gives the method, the target and the version; each header line is split at its
 * first `:` (a value may hold more), the name in lower case, the value without the spaces around it.
 * Returns them with the bytes after the blank line. A connection that closes before the blank line
 * ends it with `IncompleteRequest`.
 */
export function* parseRequest(): Reader<Request> {
  let [line, rest] = yield* readLine();
  const [method = '', target = '', version = ''] = line.split(' ');
  const headers: Record<string, string> = {};
  for (;;) {
    [line, rest] = yield* readLine(rest);
    if (line === '') return { method, target, version, headers, rest };
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
}
