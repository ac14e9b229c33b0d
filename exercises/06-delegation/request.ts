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
 * Collects bytes until a line end (`\r\n`, or a bare `\n`), asking for more chunks as needed, and
 * returns the line and whatever arrived after it. `pending` is what the previous read left over.
 * An empty chunk means the peer closed the connection in the middle of the line.
 */
export function* readLine(pending: Buffer = Buffer.alloc(0)): Reader<Line> {
  // TODO: loop: look for '\n' in pending (pending.indexOf('\n')). Found: return [the line before it,
  // without a trailing '\r', as latin1 text, and pending after the '\n']. Not found: `const chunk =
  // yield MORE;` — an empty chunk means the peer left: throw new IncompleteRequest(...); otherwise
  // pending = Buffer.concat([pending, chunk]).
  void pending;
  throw new Error('TODO(06-delegation): readLine() should yield MORE until a whole line has arrived, then return [line, rest]');
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
 * Reads an HTTP request head — the request line, the headers, the blank line — one `readLine` at a
 * time. Each `yield*` hands the incoming chunks to `readLine` and gets back its line and leftovers.
 */
export function* parseRequest(): Reader<Request> {
  // TODO: `let [line, rest] = yield* readLine();` gives the request line: split it on ' ' into
  // method, target, version. Then read header lines with `yield* readLine(rest)` until an empty
  // line; split each at its first ':' (name in lower case, both sides trimmed). Return them all, and
  // the rest.
  throw new Error('TODO(06-delegation): parseRequest() should read the request line and headers with yield* readLine(...)');
}
