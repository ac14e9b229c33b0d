/**
 * 00-web-app — what a web framework does with a request, as pure functions: no sockets here.
 *
 * The server (`server.ts`) reads the request head off the socket; `parseRequest` turns it into a
 * `Request`; `generateResponse` looks the path up in the route table (`URLS`, in `views.ts`), calls the
 * view, and puts a status line and headers in front of the page. Flask and Django do the same, with
 * more care and more features, underneath `@app.route` and `urls.py`.
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
  const [requestLine = '', ...headerLines] = head.split(/\r?\n/);
  const parts = requestLine.split(' ');
  if (parts.length !== 3) {
    throw new HttpError(400, `A request line is "METHOD /path HTTP/1.1", three parts; got ${JSON.stringify(requestLine)}`);
  }
  const [method, requestTarget, version] = parts as [string, string, string];
  if (!TOKEN.test(method)) throw new HttpError(400, `Not a method: ${JSON.stringify(method)}`);
  // The absolute form names the host too (RFC 9112 §3.2.2): a server must accept it, and routes by its path.
  const absolute = ABSOLUTE_START.exec(requestTarget);
  const rest = absolute ? requestTarget.slice(absolute[0].length) : requestTarget;
  const target = absolute && !rest.startsWith('/') ? `/${rest}` : rest;
  if (!TARGET.test(target)) throw new HttpError(400, `Not a path: ${JSON.stringify(requestTarget)}`);
  if (!VERSION.test(version)) throw new HttpError(400, `Not an HTTP/1.x version: ${JSON.stringify(version)}`);

  const headers = new Map<string, string>();
  for (const line of headerLines) {
    const match = HEADER_LINE.exec(line);
    if (!match || !TOKEN.test(match[1]!)) throw new HttpError(400, `Not a header line: ${JSON.stringify(line)}`);
    const name = match[1]!.toLowerCase();
    const value = match[2]!;
    const earlier = headers.get(name);
    // Host is one value, not a list (RFC 9112 §3.2): two Host lines are refused, never joined.
    if (name === 'host' && earlier !== undefined) throw new HttpError(400, 'A request has one Host header, not two');
    headers.set(name, earlier === undefined ? value : `${earlier}, ${value}`);
  }
  // HTTP/1.1 requires Host (RFC 9112 §3.2): a server must refuse a request without it.
  if (version === 'HTTP/1.1' && !headers.has('host')) throw new HttpError(400, 'An HTTP/1.1 request must have a Host header');

  const question = target.indexOf('?');
  const path = question === -1 ? target : target.slice(0, question);
  const query = question === -1 ? '' : target.slice(question + 1);
  return { method, path, query, version, headers };
}

/**
 * The head of a response whose body is `contentLength` bytes long: the status line
 * (`HTTP/1.1 404 Not Found`, the reason from REASONS), then `Content-Type: text/html; charset=utf-8`,
 * `Content-Length` and `Connection: close`, then the `extra` headers: one with the name of ours replaces
 * it (`Connection`), any other is added (`Allow`); no header appears twice. Every line ends with CRLF,
 * and a blank line ends the head.
 */
export function generateHeaders(status: Status, contentLength: number, extra: Record<string, string> = {}): string {
  const headers: Record<string, string> = {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(contentLength),
    Connection: 'close',
    ...extra,
  };
  let head = `HTTP/1.1 ${status} ${REASONS[status]}\r\n`;
  for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
  return `${head}\r\n`;
}

/**
 * The page for `status`: for 200, the page the view URLS holds for `path` returns; for any other status,
 * a short error page whose title and heading name the status, e.g. `404 Not Found`.
 */
export function generateContent(status: Status, path: string): string {
  const view = URLS.get(path);
  if (status === 200 && view) return view();
  const title = `${status} ${REASONS[status]}`;
  return page(title, `<h1>${title}</h1>`);
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
  const status: Status = !KNOWN_METHODS.includes(request.method)
    ? 501 // RFC 9110 §9.1: a method the server does not recognise is not implemented, on any path
    : !URLS.has(request.path) ? 404 : ALLOWED_METHODS.includes(request.method) ? 200 : 405;
  // Content-Length counts bytes, and a page is text: encode first, then count.
  const body = Buffer.from(generateContent(status, request.path), 'utf8');
  const extra: Record<string, string> = { Connection: connection };
  if (status === 405) extra.Allow = ALLOWED_METHODS.join(', ');
  const head = Buffer.from(generateHeaders(status, body.length, extra), 'latin1');
  return request.method === 'HEAD' ? head : Buffer.concat([head, body]);
}

/**
 * The response to a request that could not be read or parsed: `error.status` (400, 431, 501) and its
 * error page, `Content-Length` in bytes, and `Connection: close`.
 */
export function errorResponse(error: HttpError): Buffer {
  const body = Buffer.from(generateContent(error.status, ''), 'utf8');
  return Buffer.concat([Buffer.from(generateHeaders(error.status, body.length), 'latin1'), body]);
}
