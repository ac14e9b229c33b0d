import { describe, expect, test } from 'vitest';
import { parseResponse } from '../../fixtures/harness/index.ts';
import { errorResponse, generateContent, generateHeaders, generateResponse, HttpError, parseRequest, type Request } from './http.ts';
import { blog, index, URLS } from './views.ts';

/** A request as parseRequest would return it, made by hand so these tests need only the part they test. */
function request(method: string, path: string, query = ''): Request {
  return { method, path, query, version: 'HTTP/1.1', headers: new Map([['host', 'localhost']]) };
}

/** The HttpError that parseRequest(head) throws; fails the test if it returns, or throws anything else. */
function rejection(head: string): HttpError {
  try {
    parseRequest(head);
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error; // e.g. the TODO: let the learner see it
  }
  throw new Error(`parseRequest(${JSON.stringify(head)}) returned a request; it should throw new HttpError(400, …): that is not an HTTP/1.x request head.`);
}

describe('00-web-app: the parts of a web framework', () => {
  test('parseRequest reads the method, the path and the version of the request line', () => {
    const parsed = parseRequest('GET /blog HTTP/1.1\r\nHost: localhost');
    expect(parsed, 'the request line "GET /blog HTTP/1.1" is METHOD, space, path, space, version').toMatchObject({
      method: 'GET',
      path: '/blog',
      query: '',
      version: 'HTTP/1.1',
    });
  });

  test('parseRequest splits the query string off the path', () => {
    expect(parseRequest('GET /blog?page=2&tag=async HTTP/1.1\r\nHost: localhost'), 'the path stops at "?"; the rest is the query').toMatchObject({
      path: '/blog',
      query: 'page=2&tag=async',
    });
    expect(parseRequest('GET /? HTTP/1.1\r\nHost: localhost'), 'an empty query string').toMatchObject({ path: '/', query: '' });
    expect(parseRequest('GET /blog?q=why?&page=2 HTTP/1.1\r\nHost: localhost'), 'the path stops at the FIRST "?"; a later "?" belongs to the query').toMatchObject({
      path: '/blog',
      query: 'q=why?&page=2',
    });
  });

  test('parseRequest reads the headers: names in lower case, values without the spaces around them', () => {
    const parsed = parseRequest('GET / HTTP/1.1\r\nHost: localhost:5000\r\nUser-Agent:   curl/8.5.0  \r\nACCEPT:*/*');
    expect(parsed.headers, 'header names are case-insensitive, so store them lower-cased; trim spaces and tabs around values').toEqual(
      new Map([
        ['host', 'localhost:5000'],
        ['user-agent', 'curl/8.5.0'],
        ['accept', '*/*'],
      ]),
    );
  });

  test('parseRequest takes a lone LF as a line end, as well as CRLF', () => {
    const parsed = parseRequest('GET /blog HTTP/1.1\nHost: localhost\r\nAccept: */*');
    expect(
      { path: parsed.path, version: parsed.version, headers: [...parsed.headers] },
      'RFC 9112 §2.2 lets a server take a lone LF as a line end: split the head on "\\n", with or without the "\\r" before it',
    ).toEqual({ path: '/blog', version: 'HTTP/1.1', headers: [['host', 'localhost'], ['accept', '*/*']] });
  });

  test('parseRequest joins the values of a repeated header with ", "', () => {
    const parsed = parseRequest('GET / HTTP/1.1\r\nHost: localhost\r\nAccept: text/html\r\naccept: */*');
    expect(
      parsed.headers.get('accept'),
      'a header sent twice (names compare case-insensitively) is one header whose values are joined with ", " (RFC 9110 §5.3): keep both, the first first',
    ).toBe('text/html, */*');
  });

  test('parseRequest rejects a request line without the HTTP version with 400', () => {
    for (const head of ['GET /', 'GET /blog\r\nHost: localhost']) {
      expect(rejection(head).status, `${JSON.stringify(head)} has no HTTP version`).toBe(400);
    }
  });

  test('parseRequest rejects garbage and malformed lines with 400', () => {
    const malformed = [
      '',
      'hello',
      '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', // a TLS ClientHello: https:// sent to an http:// server
      'GET  / HTTP/1.1\r\nHost: localhost', // two spaces: four parts
      'GET / HTTP/1.1 extra\r\nHost: localhost',
      'GET / FTP/1.0',
      'GET blog HTTP/1.1\r\nHost: localhost', // a path starts with "/"
      'G(T / HTTP/1.1\r\nHost: localhost', // a method is a token: no "("
      'GET / HTTP/1.1\r\nHost: localhost\r\nno colon here',
      'GET / HTTP/1.1\r\nHost : localhost', // no space before the colon
      'GET / HTTP/1.1\r\nHost: localhost\r\n folded: line',
    ];
    for (const head of malformed) {
      expect(rejection(head).status, `${JSON.stringify(head)} is not an HTTP/1.x request head`).toBe(400);
    }
  });

  test('parseRequest rejects two Host header lines with 400, where other repeated headers are joined', () => {
    for (const head of ['GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example', 'GET / HTTP/1.1\r\nHost: localhost\r\nhost: localhost']) {
      expect(
        rejection(head).status,
        `${JSON.stringify(head)} names its host twice. RFC 9112 §3.2: a server must answer 400 to a request with more than one ` +
          'Host line (which host would it be?); Host is the one header whose repeats are refused, not joined with ", "',
      ).toBe(400);
    }
  });

  test('parseRequest accepts an absolute-form target (http://host/path) and takes its path and query', () => {
    const cases = [
      ['GET http://127.0.0.1:5000/blog?page=2 HTTP/1.1\r\nHost: 127.0.0.1:5000', '/blog', 'page=2'],
      ['GET HTTP://localhost HTTP/1.1\r\nHost: localhost', '/', ''],
    ] as const;
    for (const [head, path, query] of cases) {
      let parsed: Request;
      try {
        parsed = parseRequest(head);
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        throw new Error(
          `parseRequest(${JSON.stringify(head)}) threw HttpError ${error.status} (${error.message}). That target is in absolute form, ` +
            'as a client sends it to a proxy; RFC 9112 §3.2.2: a server MUST accept it. Route by what follows the host ("/" when nothing does).',
        );
      }
      expect(
        { path: parsed.path, query: parsed.query },
        `${JSON.stringify(head)}: the scheme (in any case) and the host come off; the path is what follows them, "/" when nothing does (RFC 9112 §3.2.2)`,
      ).toEqual({ path, query });
    }
  });

  test('parseRequest rejects an HTTP/1.1 request without a Host header with 400', () => {
    expect(rejection('GET / HTTP/1.1').status, 'HTTP/1.1 makes Host mandatory (RFC 9112 §3.2)').toBe(400);
    expect(parseRequest('GET / HTTP/1.0').version, 'HTTP/1.0 had no Host header yet: accept it').toBe('HTTP/1.0');
  });

  test('generateHeaders writes the status line, Content-Type with its charset, Content-Length and Connection: close', () => {
    const head = generateHeaders(200, 11);
    expect(head.endsWith('\r\n\r\n'), `the head ends with a blank line (CRLF CRLF); got ${JSON.stringify(head)}`).toBe(true);
    expect(head.replaceAll('\r\n', ''), 'every line ends with CRLF ("\\r\\n"), not a bare "\\n"').not.toContain('\n');
    const { statusLine, headers } = parseResponse(head);
    expect(statusLine).toBe('HTTP/1.1 200 OK');
    expect(headers.get('content-type'), 'say the page is HTML, and which encoding its bytes are in').toBe('text/html; charset=utf-8');
    expect(headers.get('content-length'), 'the length given').toBe('11');
    expect(headers.get('connection'), 'one request per connection: say you will close it').toBe('close');
    expect(parseResponse(generateHeaders(404, 0)).statusLine).toBe('HTTP/1.1 404 Not Found');
    expect(parseResponse(generateHeaders(405, 0)).statusLine).toBe('HTTP/1.1 405 Method Not Allowed');
  });

  test('generateHeaders adds the extra headers it is given, and they replace its own', () => {
    const { headers, headerCounts } = parseResponse(generateHeaders(405, 0, { Allow: 'GET, HEAD', Connection: 'keep-alive' }));
    expect(headers.get('allow')).toBe('GET, HEAD');
    expect(headers.get('connection'), 'an extra header replaces the default one').toBe('keep-alive');
    expect(headerCounts.get('connection'), 'a header appears once').toBe(1);
  });

  test('the route table maps / and /blog to views that return their pages', () => {
    expect([...URLS.keys()].sort(), 'URLS in views.ts: path → view').toEqual(['/', '/blog']);
    expect(URLS.get('/')!()).toBe(index());
    const page = URLS.get('/blog')!();
    expect(page, 'the blog page: page("Blog", …) with an <h1>Blog</h1>').toContain('<title>Blog</title>');
    expect(page).toContain('<h1>Blog</h1>');
  });

  test("generateContent gives the view's page for 200, and an error page naming the status otherwise", () => {
    expect(generateContent(200, '/'), 'for 200, call the view URLS has for the path').toBe(index());
    expect(generateContent(200, '/blog')).toBe(blog());
    expect(generateContent(404, '/nowhere'), 'a 404 page says what went wrong').toContain('404 Not Found');
    expect(generateContent(405, '/'), 'a 405 page says what went wrong').toContain('405 Method Not Allowed');
  });

  test('generateResponse answers GET / with 200 and the page', () => {
    const response = parseResponse(generateResponse(request('GET', '/')));
    expect(response.statusLine).toBe('HTTP/1.1 200 OK');
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('connection')).toBe('close');
    expect(response.body.toString('utf8'), 'the body is the view’s page, encoded as UTF-8').toBe(index());
  });

  test('generateResponse counts Content-Length in bytes, not characters (the home page is not ASCII)', () => {
    const response = parseResponse(generateResponse(request('GET', '/')));
    const page = index();
    expect(Buffer.byteLength(page), 'the home page has non-ASCII characters, so it has more bytes than characters').toBeGreaterThan(page.length);
    expect(
      Number(response.headers.get('content-length')),
      `Content-Length must be the number of BYTES in the body (${response.body.length}), not page.length (${page.length} UTF-16 code units): encode the page first (Buffer.from(page)), then count`,
    ).toBe(response.body.length);
  });

  test('generateResponse answers an unknown path with 404 and a page that says so', () => {
    const response = parseResponse(generateResponse(request('GET', '/nowhere')));
    expect(response.statusLine).toBe('HTTP/1.1 404 Not Found');
    expect(response.body.toString(), 'a 404 has a body too: tell the reader what happened').toContain('404 Not Found');
    expect(Number(response.headers.get('content-length'))).toBe(response.body.length);
  });

  test('generateResponse answers a method the views do not take with 405 and an Allow header', () => {
    for (const method of ['DELETE', 'POST']) {
      const response = parseResponse(generateResponse(request(method, '/blog')));
      expect(response.statusLine, `${method} /blog: the path exists, the method does not`).toBe('HTTP/1.1 405 Method Not Allowed');
      expect(response.headers.get('allow'), 'a 405 must say which methods are allowed (RFC 9110 §15.5.6)').toBe('GET, HEAD');
      expect(response.body.toString()).toContain('405 Method Not Allowed');
    }
    const unknown = parseResponse(generateResponse(request('DELETE', '/nowhere')));
    expect(unknown.status, 'an unknown path is a 404, whatever the method').toBe(404);
  });

  test('generateResponse answers a method the server does not recognise with 501, on any path, and one it knows with 405', () => {
    for (const [method, path] of [['BREW', '/'], ['PROPFIND', '/blog'], ['BREW', '/nowhere']] as const) {
      const response = parseResponse(generateResponse(request(method, path)));
      expect(
        response.statusLine,
        `${method} ${path} got ${JSON.stringify(response.statusLine)}. RFC 9110 §9.1: a method the server does not recognise (not in ` +
          'KNOWN_METHODS) gets 501 Not Implemented, whatever the path: the server lacks it, not the page',
      ).toBe('HTTP/1.1 501 Not Implemented');
      expect(response.body.toString(), 'a 501 has a page that says so').toContain('501 Not Implemented');
    }
    for (const method of ['PUT', 'PATCH', 'OPTIONS']) {
      const response = parseResponse(generateResponse(request(method, '/blog')));
      expect(
        response.statusLine,
        `${method} /blog: the server knows ${method} (KNOWN_METHODS), and the page does not allow it: 405 with Allow (RFC 9110 §9.1), not 501`,
      ).toBe('HTTP/1.1 405 Method Not Allowed');
    }
  });

  test('generateResponse takes methods as case-sensitive: get /blog is not GET, and gets 501', () => {
    const response = parseResponse(generateResponse(request('get', '/blog')));
    expect(
      response.statusLine,
      'HTTP methods are case-sensitive (RFC 9110 §9.1): "get" is not "GET", it is a method this server does not recognise: 501',
    ).toBe('HTTP/1.1 501 Not Implemented');
  });

  test('generateResponse answers HEAD with the headers of GET and no body', () => {
    const get = parseResponse(generateResponse(request('GET', '/blog')));
    const head = parseResponse(generateResponse(request('HEAD', '/blog')));
    expect(head.statusLine).toBe('HTTP/1.1 200 OK');
    expect(head.headers.get('content-length'), 'HEAD tells the length GET would send').toBe(get.headers.get('content-length'));
    expect(head.body.length, 'HEAD gets no body').toBe(0);
  });

  test('errorResponse answers a request that could not be read with its status, a page, and Connection: close', () => {
    for (const [status, statusLine] of [
      [400, 'HTTP/1.1 400 Bad Request'],
      [431, 'HTTP/1.1 431 Request Header Fields Too Large'],
      [501, 'HTTP/1.1 501 Not Implemented'],
    ] as const) {
      const response = parseResponse(errorResponse(new HttpError(status, 'for the test')));
      expect(response.statusLine).toBe(statusLine);
      expect(response.headers.get('connection')).toBe('close');
      expect(response.body.toString()).toContain(String(status));
      expect(Number(response.headers.get('content-length'))).toBe(response.body.length);
    }
  });
});
