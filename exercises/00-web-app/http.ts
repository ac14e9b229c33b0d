/**
 * 00-web-app — what a web framework does with a request, as pure functions: no sockets here.
 *
 * The server (`server.ts`) reads the request head off the socket; `parseRequest` turns it into a
 * `Request`; `generateResponse` looks the path up in the route table (`URLS`, in `views.ts`), calls the
 * view, and puts a status line and headers in front of the page. Flask and Django do the same, with
 * more care and more features, underneath `@app.route` and `urls.py`.
 *
 * Complete the five functions, top to bottom, then run the tests:  npm test -- exercises/00
 */
import { page, URLS } from './views.ts';

/** The statuses this server answers with, and the reason phrase each goes by. */
export const REASONS = {
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  431: 'Request Header Fields Too Large',
  501: 'Not Implemented',
} as const;
export type Status = keyof typeof REASONS;

/** The methods every view answers. HEAD is GET without the body: curl -I and link checkers use it. */
export const ALLOWED_METHODS: readonly string[] = ['GET', 'HEAD'];

/**
 * The methods this server recognises: the eight of RFC 9110 §9.3, and PATCH (RFC 5789). A view may not
 * allow one of them (405), but the server knows what it means; any other method, `BREW` or `get`, it
 * does not implement at all (501, RFC 9110 §9.1).
 */
export const KNOWN_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

/** `close` in this exercise: one request per connection. Exercise 08 keeps connections alive. */
export type Connection = 'close' | 'keep-alive';

/** A parsed request head: what a view would need to know about the request. */
export interface Request {
  /** `GET`, `POST`, … — case-sensitive, as HTTP says. */
  method: string;
  /** The path the route table is searched with: `/blog` for `/blog?page=2`, and for `http://127.0.0.1:5000/blog`. */
  path: string;
  /** What followed the `?`, undecoded: `page=2`; `''` when there was none. */
  query: string;
  /** `HTTP/1.1` or `HTTP/1.0`. */
  version: string;
  /** Header names lower-cased (they are case-insensitive); a repeated header's values joined with `, `. */
  headers: Map<string, string>;
}

/** A request the server cannot answer normally: the status says why (400, 431, 501). */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: Exclude<Status, 200>,
    message: string,
  ) {
    super(message);
  }
}

/** A token (RFC 9110 §5.6.2): what a method or a header name is made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** `Name: value`, with optional spaces or tabs around the value, none before the colon. */
const HEADER_LINE = /^([^:\s]+):[ \t]*(.*?)[ \t]*$/;
/** An origin-form target: a path, maybe a query; visible ASCII only. */
const TARGET = /^\/[\x21-\x7e]*$/;
/**
 * The start of an absolute-form target (RFC 9112 §3.2.2), `http://127.0.0.1:5000` in
 * `http://127.0.0.1:5000/blog?page=2`: the scheme (any case) and the host. What follows it is the
 * origin form, `/blog?page=2`; nothing at all stands for `/`.
 */
const ABSOLUTE_START = /^https?:\/\/[^/?#\s]+/i;
const VERSION = /^HTTP\/1\.\d$/;

/**
 * Parses a request head (the request line, then the header lines, each ended by CRLF or a lone LF,
 * without the empty line that ends the head) into a `Request`. What it accepts:
 * - a request line of exactly three parts separated by single spaces: a method (TOKEN), a target, an
 *   HTTP/1.x version (VERSION). The target starts with `/` (TARGET), or is in absolute form
 *   (ABSOLUTE_START, as a client sends it to a proxy, RFC 9112 §3.2.2): then only the path and query
 *   after the host count, `/` when there are none. The query string, after the first `?`, is split
 *   off the path;
 * - header lines `Name: value` (HEADER_LINE, the name a TOKEN): names lower-cased, values without the
 *   spaces around them, a repeated header's values joined with `, `.
 * Anything else is not an HTTP/1.x request: it throws `HttpError` 400. So does an HTTP/1.1 request
 * without a `Host` header (HTTP/1.0 had none yet: that one is fine), and any request with two `Host`
 * lines (RFC 9112 §3.2: which host would it be?).
 */
export function parseRequest(head: string): Request {
  // TODO: check the request line, then each header line; the first doubt is a 400.
  throw new Error('TODO(00-web-app): parseRequest() must turn the head into { method, path, query, version, headers }, or throw HttpError 400');
}

/**
 * The head of a response whose body is `contentLength` bytes long: the status line
 * (`HTTP/1.1 404 Not Found`, the reason from REASONS), then `Content-Type: text/html; charset=utf-8`,
 * `Content-Length` and `Connection: close`, then the `extra` headers: one with the name of ours replaces
 * it (`Connection`), any other is added (`Allow`); no header appears twice. Every line ends with CRLF,
 * and a blank line ends the head.
 */
export function generateHeaders(status: Status, contentLength: number, extra: Record<string, string> = {}): string {
  // TODO: gather the headers by name first, so that an extra one can replace a default.
  throw new Error('TODO(00-web-app): generateHeaders() must write the status line and the headers, each line ended by CRLF, then a blank line');
}

/**
 * The page for `status`: for 200, the page the view URLS holds for `path` returns; for any other status,
 * a short error page whose title and heading name the status, e.g. `404 Not Found`.
 */
export function generateContent(status: Status, path: string): string {
  // TODO: views.ts already knows how to make a page around a heading.
  throw new Error("TODO(00-web-app): generateContent() must return the view's page for 200, an error page otherwise");
}

/**
 * The response to `request`, as the bytes to send. The status: 501 for a method outside KNOWN_METHODS,
 * whatever the path (the server does not implement it at all; methods are case-sensitive: `get` is not
 * `GET`); then the route table decides: 404 for a path URLS does not hold; 405 for a method outside
 * ALLOWED_METHODS on a path it holds, with an `Allow` header that lists ALLOWED_METHODS; 200 otherwise.
 * The body is the page generateContent gives, in UTF-8, and `Content-Length` is its length in bytes;
 * the `Connection` header says `connection`. A HEAD request gets exactly the head a GET would get, and
 * no body.
 */
export function generateResponse(request: Request, connection: Connection = 'close'): Buffer {
  // TODO: decide the status first; measure the page only once it is bytes.
  throw new Error('TODO(00-web-app): generateResponse() must decide the status (501, 404, 405 or 200) and return the head and the page as bytes');
}

/**
 * The response to a request that could not be read or parsed: `error.status` (400, 431, 501) and its
 * error page, `Content-Length` in bytes, and `Connection: close`.
 */
export function errorResponse(error: HttpError): Buffer {
  throw new Error('TODO(00-web-app): errorResponse() must return the head and the error page for error.status, as bytes');
}
