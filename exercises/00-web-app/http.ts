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
} as const;
export type Status = keyof typeof REASONS;

/** The methods every view answers. HEAD is GET without the body: curl -I and link checkers use it. */
export const ALLOWED_METHODS: readonly string[] = ['GET', 'HEAD'];

/** `close` in this exercise: one request per connection. Exercise 08 keeps connections alive. */
export type Connection = 'close' | 'keep-alive';

/** A parsed request head: what a view would need to know about the request. */
export interface Request {
  /** `GET`, `POST`, … — case-sensitive, as HTTP says. */
  method: string;
  /** The path the route table is searched with: `/blog` for `/blog?page=2`. */
  path: string;
  /** What followed the `?`, undecoded: `page=2`; `''` when there was none. */
  query: string;
  /** `HTTP/1.1` or `HTTP/1.0`. */
  version: string;
  /** Header names lower-cased (they are case-insensitive); a repeated header's values joined with `, `. */
  headers: Map<string, string>;
}

/** A request the server cannot answer normally: the status says why (400, 431). */
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
const VERSION = /^HTTP\/1\.\d$/;

/**
 * Parses a request head: the request line and the header lines, separated by CRLF, without the blank
 * line that ends the head. Throws `HttpError` 400 for anything that is not an HTTP/1.x request.
 */
export function parseRequest(head: string): Request {
  // TODO: split the head into lines at '\r\n'. The first is the request line: exactly three parts
  // separated by single spaces, METHOD TARGET VERSION. The method must match TOKEN, the target TARGET
  // (it starts with "/"), the version VERSION (HTTP/1.0, HTTP/1.1); otherwise throw new HttpError(400, why).
  // Every other line is a header, "Name: value" (HEADER_LINE; its name must match TOKEN too): store it
  // in a Map under the lower-cased name. An HTTP/1.1 request without a Host header is a 400 as well.
  // Last, split the target at the first '?' into path and query.
  void [TOKEN, HEADER_LINE, TARGET, VERSION];
  throw new Error('TODO(00-web-app): parseRequest() should split the head into the request line and headers, and return { method, path, query, version, headers }');
}

/**
 * The status line and headers of a response whose body is `contentLength` bytes long, each line ended
 * by CRLF, and the blank line that ends the head. `extra` adds headers (`Allow`) or replaces ours
 * (`Connection`).
 */
export function generateHeaders(status: Status, contentLength: number, extra: Record<string, string> = {}): string {
  // TODO: the status line `HTTP/1.1 ${status} ${REASONS[status]}`, then the headers Content-Type
  // (text/html; charset=utf-8), Content-Length and Connection (close), with `extra` merged over them;
  // one "Name: value" per line, every line ended by '\r\n', and one more '\r\n' for the blank line.
  throw new Error('TODO(00-web-app): generateHeaders() should write the status line and the headers, each line ended by CRLF, then a blank line');
}

/** The page for `status`: the view's page for 200, a short error page otherwise. */
export function generateContent(status: Status, path: string): string {
  // TODO: for 200, call the view that URLS holds for `path`. For any other status, return an error page:
  // page(title, `<h1>${title}</h1>`) with the title `${status} ${REASONS[status]}`, e.g. "404 Not Found".
  void page;
  throw new Error("TODO(00-web-app): generateContent() should return the view's page for 200, an error page otherwise");
}

/**
 * The response to `request`, as the bytes to send: the route table decides the status (404 for a path
 * it does not hold, 405 for a method the views do not answer), the view or an error page gives the
 * body, and the headers go in front. A HEAD request gets the same headers and no body.
 */
export function generateResponse(request: Request, connection: Connection = 'close'): Buffer {
  // TODO: choose the status: 404 if URLS has no view for request.path; 405 if it has one but
  // ALLOWED_METHODS does not include request.method; 200 otherwise. Make the page with generateContent
  // and encode it (Buffer.from(page)): Content-Length is its length in BYTES. Make the head with
  // generateHeaders, passing { Connection: connection }, and for a 405 an Allow header too
  // (ALLOWED_METHODS.join(', ')). Return head and body as one Buffer; for HEAD, the head alone.
  void [URLS, ALLOWED_METHODS, connection];
  throw new Error('TODO(00-web-app): generateResponse() should route the request (200, 404 or 405) and return the head and the page as bytes');
}

/** The response to a request that could not be read or parsed: its error page, and the connection closes. */
export function errorResponse(error: HttpError): Buffer {
  // TODO: like generateResponse, for error.status: an error page from generateContent, its head from
  // generateHeaders (Connection: close, the default), both as one Buffer.
  throw new Error('TODO(00-web-app): errorResponse() should return the head and an error page for error.status, as bytes');
}
