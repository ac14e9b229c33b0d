/**
 * 06-delegation — why delegation makes coroutines composable.
 *
 * Complete `readLine`, then build `parseRequest` from it with `yield*`.  npm test -- exercises/06
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
  throw new Error('TODO(06-delegation): readLine() must yield MORE until a whole line has arrived, then return [line, rest]');
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
  throw new Error('TODO(06-delegation): parseRequest() must read the request line and the headers, one yield* readLine(...) at a time');
}
