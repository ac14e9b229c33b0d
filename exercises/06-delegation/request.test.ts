import { describe, expect, test } from 'vitest';
import { IncompleteRequest, MORE, parseRequest, readLine, type Reader } from './request.ts';

/**
 * Feeds `chunks` to a reading coroutine the way a server would: start it, then send each chunk
 * while it asks for MORE. Returns its result, or what it still wanted when the chunks ran out.
 */
function feed<T>(reader: Reader<T>, chunks: Array<string | Buffer>): { done: true; value: T } | { done: false; fed: number } {
  let step = reader.next(Buffer.alloc(0)); // the first next() starts it; its value is ignored
  let fed = 0;
  while (!step.done) {
    expect(step.value, 'a reading coroutine yields MORE when it needs another chunk').toBe(MORE);
    if (fed === chunks.length) return { done: false, fed };
    const chunk = chunks[fed++]!;
    step = reader.next(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
  }
  return { done: true, value: step.value };
}

function finished<T>(result: ReturnType<typeof feed<T>>, what: string): T {
  if (!result.done) throw new Error(`${what}: it still asked for MORE after all ${result.fed} chunk(s) were sent`);
  return result.value;
}

describe('06-delegation: a line reader and a request parser built from it', () => {
  test('readLine returns a line that arrives whole, and the bytes after it', () => {
    const [line, rest] = finished(feed(readLine(), ['GET / HTTP/1.1\r\nHost: x']), 'readLine()');
    expect(line, 'the line, without its \\r\\n').toBe('GET / HTTP/1.1');
    expect(rest.toString(), 'what came after the line end is returned too: it belongs to the next read').toBe('Host: x');
  });

  test('readLine asks for more until a line split across chunks is complete', () => {
    const [line, rest] = finished(feed(readLine(), ['GE', 'T /in', 'dex HTTP/1.1\r', '\nnext']), 'readLine()');
    expect(line, 'readLine must keep what it has and yield MORE until the line end arrives').toBe('GET /index HTTP/1.1');
    expect(rest.toString()).toBe('next');
  });

  test('readLine starts from the bytes a previous read left over', () => {
    const result = feed(readLine(Buffer.from('Host: example\r\nAccept')), []);
    expect(result, 'a line already in `pending` is returned at once, without asking for more').toEqual({
      done: true,
      value: ['Host: example', Buffer.from('Accept')],
    });
  });

  test('readLine also ends a line at a bare line feed, with no carriage return before it', () => {
    const [line, rest] = finished(feed(readLine(), ['first\nsecond\r\n']), 'readLine()');
    expect(line, 'a line may end with \\n alone (no \\r before it): readLine must return it without asking for more').toBe('first');
    expect(rest.toString(), 'what came after the \\n is the next line').toBe('second\r\n');
  });

  test('parseRequest reads the request line and the headers, fed one byte at a time', () => {
    const head = 'POST /submit HTTP/1.1\r\nHost: example.org\r\nContent-Length: 5\r\n\r';
    const chunks = [...[...head].map((c) => Buffer.from(c, 'latin1')), Buffer.from('\nhello')];
    const request = finished(feed(parseRequest(), chunks), 'parseRequest()');
    expect(request).toMatchObject({ method: 'POST', target: '/submit', version: 'HTTP/1.1' });
    expect(request.headers, 'header names in lower case').toEqual({ host: 'example.org', 'content-length': '5' });
    expect(request.rest.toString(), 'what follows the blank line is left in `rest`').toBe('hello');
  });

  test('parseRequest gets a whole request in one chunk, and leaves the next request in rest', () => {
    const request = finished(feed(parseRequest(), ['GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n\r\n']), 'parseRequest()');
    expect(request).toMatchObject({ method: 'GET', target: '/a', headers: { host: 'x' } });
    const next = finished(feed(parseRequest(), [request.rest]), 'parseRequest() on what the first one left');
    expect(next, 'the leftover bytes of one request are the start of the next').toMatchObject({ method: 'GET', target: '/b', headers: {} });
  });

  test("a header value may hold a ':' of its own: only the first one splits the line", () => {
    const request = finished(
      feed(parseRequest(), ['GET / HTTP/1.1\r\nHost: example.org:8080\r\nReferer: http://example.org/a\r\n\r\n']),
      'parseRequest()',
    );
    expect(
      request.headers,
      "a header line is a name, the first ':', and a value that may hold more ':' (a port, a URL): split at the first one only, and keep the rest of the value whole",
    ).toEqual({ host: 'example.org:8080', referer: 'http://example.org/a' });
  });

  test('a connection that closes in the middle of a request ends the parser with IncompleteRequest', () => {
    expect(
      () => feed(parseRequest(), ['GET / HTTP/1.1\r\nHo', Buffer.alloc(0)]),
      'an empty chunk means the peer closed: readLine must throw IncompleteRequest, and parseRequest lets it propagate',
    ).toThrow(IncompleteRequest);
  });
});
