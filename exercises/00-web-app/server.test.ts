import { execFile, spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, test } from 'vitest';
import { concurrentTest, expectAnsweredWithoutReset, parseResponse, show, startServer, type Client, type RawResponse, type ServerProcess } from '../../fixtures/harness/index.ts';
import { blog, index } from './views.ts';

const server = new URL('./server.ts', import.meta.url);
const hasCurl = spawnSync('curl', ['--version']).status === 0;

/** Sends `request` on a fresh raw connection and returns the response, read until the server closes. */
async function rawRequest(srv: ServerProcess, request: string | Buffer, name = 'raw', what?: string): Promise<RawResponse> {
  const client = await srv.connect(name);
  client.send(request);
  return readResponse(srv, client, request, what);
}

/** Reads what the server sends until it closes the connection, and parses it as an HTTP response. */
async function readResponse(srv: ServerProcess, client: Client, sent: string | Buffer, what = 'Connection: close — after the response, close the connection'): Promise<RawResponse> {
  const bytes = await client.readToEnd({ what });
  try {
    return parseResponse(bytes);
  } catch (error) {
    await Promise.race([srv.exited, new Promise((resolve) => setTimeout(resolve, 300))]); // let a crash show
    throw new Error(
      `Client ${client.name} sent ${show(sent)}; the server answered ${bytes.length ? show(bytes) : 'nothing'} ` +
        `and closed the connection. ${(error as Error).message}\n${srv.report()}`,
    );
  }
}


/** Proves the server is still alive and serving after whatever the test did to it. */
async function expectStillServing(srv: ServerProcess, after: string): Promise<void> {
  const reply = await srv.fetch('/');
  expect(reply.status, `after ${after}, the server must go on serving: GET / should be 200`).toBe(200);
}

describe('00-web-app: the web server on a socket', () => {
  // One server for the well-formed requests (a server answers many clients, one after another);
  // each test that sends something malformed gets a server of its own, so a crash is its own.
  let site: ServerProcess;
  beforeAll(async () => {
    site = await startServer(server);
  });

  test('fetch GET / gets 200, an HTML content type and the home page', async () => {
    const srv = site;
    const reply = await srv.fetch('/');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(reply.body, 'the body is what the view for "/" returns').toBe(index());
  });

  test('fetch GET /blog gets 200 and the blog page', async () => {
    const srv = site;
    const reply = await srv.fetch('/blog');
    expect(reply.status).toBe(200);
    expect(reply.body, 'the body is what the view for "/blog" returns').toBe(blog());
  });

  test('the query string does not change the route: /blog?page=2 is the blog', async () => {
    const srv = site;
    const reply = await srv.fetch('/blog?page=2');
    expect(reply.status, 'route on the path alone: split the query string off at "?"').toBe(200);
    expect(reply.body).toBe(blog());
  });

  test('an unknown path gets 404 with a page that says so', async () => {
    const srv = site;
    const reply = await srv.fetch('/nowhere');
    expect(reply.status).toBe(404);
    expect(reply.body, 'a 404 has a body: tell the reader what happened').toContain('404 Not Found');
  });

  test('DELETE / gets 405 with an Allow header', async () => {
    const srv = site;
    const reply = await srv.fetch('/', { method: 'DELETE' });
    expect(reply.status, 'the path exists but its view does not take DELETE').toBe(405);
    expect(reply.headers.get('allow'), 'a 405 says which methods are allowed').toBe('GET, HEAD');
  });

  test("Content-Length is the body's length in bytes (the home page is not ASCII), and the server closes the connection", async () => {
    const srv = site;
    const response = await rawRequest(srv, 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(response.statusLine).toBe('HTTP/1.1 200 OK');
    expect(response.headers.get('connection')).toBe('close');
    expect(
      Number(response.headers.get('content-length')),
      `the server sent a body of ${response.body.length} bytes: Content-Length must count bytes, not characters`,
    ).toBe(response.body.length);
    expect(response.body.toString('utf8')).toBe(index());
  });

  test('a request that arrives in many small pieces is still parsed', async () => {
    const srv = site;
    const client = await srv.connect('slow');
    // Half a request line first, and a pause long enough for the server to recv() it alone; then the
    // rest one byte per TCP write, spaced out, so the head arrives a little at a time.
    const request = Buffer.from('GET /blog HTTP/1.1\r\nHost: localhost\r\n\r\n');
    client.send(request.subarray(0, 7));
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const byte of request.subarray(7)) {
      client.send(Buffer.of(byte));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const response = await readResponse(srv, client, 'GET /blog HTTP/1.1\r\nHost: localhost\r\n\r\n (one byte at a time)');
    expect(
      response.statusLine,
      'TCP is a stream, not messages: one recv() may hold a part of the request. Keep reading until the blank line ("\\r\\n\\r\\n") that ends the head',
    ).toBe('HTTP/1.1 200 OK');
    expect(response.body.toString('utf8')).toBe(blog());
  });

  test('a request whose lines end with a lone LF, as printf … | nc sends it, gets its answer', async () => {
    for (const request of ['GET /blog HTTP/1.1\nHost: localhost\n\n', 'GET /blog HTTP/1.1\r\nHost: localhost\n\n']) {
      const response = await rawRequest(site, request, 'lone LF', 'the answer to a request whose lines end with a lone LF');
      expect(
        response.statusLine,
        `Sent ${show(request)}. A line of a request ends with CRLF, but RFC 9112 §2.2 lets a server take a lone LF as a ` +
          'line end, and people type requests that way: the empty line that ends the head may be "\n\n" or "\r\n\n" too',
      ).toBe('HTTP/1.1 200 OK');
      expect(response.body.toString('utf8')).toBe(blog());
    }
  });

  test('empty lines before the request line are ignored', async () => {
    const request = '\r\n\r\nGET /blog HTTP/1.1\r\nHost: localhost\r\n\r\n';
    const response = await rawRequest(site, request, 'leading CRLF', 'the answer to a request after two empty lines');
    expect(
      response.statusLine,
      `Sent ${show(request)}. RFC 9112 §2.2 asks a server to ignore empty lines received before the request line ` +
        '(a client may send a CRLF after its previous request): they are not the end of an empty head',
    ).toBe('HTTP/1.1 200 OK');
    expect(response.body.toString('utf8')).toBe(blog());
  });

  test('an absolute-form target, GET http://127.0.0.1:PORT/blog, gets the blog', async () => {
    const sent = `GET http://127.0.0.1:${site.port}/blog?page=2 HTTP/1.1\r\nHost: 127.0.0.1:${site.port}\r\n\r\n`;
    const response = await rawRequest(site, sent, 'absolute', 'the answer to a request whose target is in absolute form');
    expect(
      response.statusLine,
      `Sent ${show(sent)}: the target names the scheme and host before the path, as a client writes it to a proxy. RFC 9112 §3.2.2: ` +
        'a server MUST accept the absolute form; route by its path',
    ).toBe('HTTP/1.1 200 OK');
    expect(response.body.toString('utf8')).toBe(blog());
  });

  test('a method the server does not recognise gets 501 Not Implemented', async () => {
    const sent = 'BREW /blog HTTP/1.1\r\nHost: localhost\r\n\r\n';
    const response = await rawRequest(site, sent, 'teapot', 'the answer to a method the server does not know');
    expect(
      response.statusLine,
      `Sent ${show(sent)}. RFC 9110 §9.1: a method the server does not recognise gets 501 Not Implemented; 405 is for a ` +
        'method it knows (KNOWN_METHODS) that the page does not allow',
    ).toBe('HTTP/1.1 501 Not Implemented');
  });

  // A server of its own, alone: the client uploads 4 MiB within the server's linger time (LINGER_SECONDS),
  // which a machine busy with other tests' servers could stretch past it.
  test('an answer sent while the client is still sending reaches it whole, and the connection ends with a FIN, never a reset', async () => {
    const srv = await startServer(server);
    const head = (kib: number) => `GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(kib * 1024)}`;
    const inOneGo = { what: 'a 64 KiB head in one go', first: head(64), more: '', status: 431 };
    // 4 MiB takes the client many sends, the kernel taking a piece at a time as the server reads: a server
    // that stops reading before the end of the stream (at once, or once what came is read) closes while
    // the client is still sending, and Linux answers with a reset.
    const upload = 4 * 1024 * 1024;
    const cases = [
      { what: 'a 9 KiB head, and 4 MiB more of it once the 431 had come', first: head(9), more: 'a'.repeat(upload), status: 431 },
      {
        what: 'the head of POST / with a 4 MiB body, and the body once the 405 had come',
        first: `POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${upload}\r\n\r\n`,
        more: 'b'.repeat(upload),
        status: 405,
      },
      inOneGo,
      inOneGo,
      inOneGo,
    ];
    for (const upload of cases) {
      await expectAnsweredWithoutReset(srv.port, upload, 'The given serveForever does it (lingeringClose): handleClient must not close the client itself', () => srv.report());
    }
    await expectStillServing(srv, 'clients that were still sending when their answers came');
  });

  // Each test below starts a server of its own, so a crash is its own: they run at once.
  concurrentTest('garbage gets 400 Bad Request, and the server goes on serving', async () => {
    const srv = await startServer(server);
    const garbage = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0xff, 0xfe]), Buffer.from('\r\n\r\n')]);
    const response = await rawRequest(srv, garbage, 'garbage');
    expect(response.statusLine, 'bytes that are not a request line: parseRequest throws HttpError(400); answer it, do not crash').toBe('HTTP/1.1 400 Bad Request');
    await expectStillServing(srv, 'a garbage request');
  });

  concurrentTest('a request line without the HTTP version gets 400 Bad Request', async () => {
    const srv = await startServer(server);
    const response = await rawRequest(srv, 'GET /\r\n\r\n');
    expect(response.statusLine, '"GET /" has no version: not an HTTP/1.x request').toBe('HTTP/1.1 400 Bad Request');
    await expectStillServing(srv, 'a request without a version');
  });

  concurrentTest('a request head over 8 KiB gets 431, and the server goes on serving', async () => {
    const srv = await startServer(server);
    const filler = Array.from({ length: 90 }, (_, i) => `X-Filler-${i}: ${'a'.repeat(90)}\r\n`).join(''); // ~9 KiB
    const response = await rawRequest(
      srv,
      `GET / HTTP/1.1\r\nHost: localhost\r\n${filler}`,
      'big',
      'the client sent 9 KiB of head without its blank line and waits: past MAX_HEAD_BYTES (8 KiB), answer 431 and close, without waiting for more',
    );
    expect(
      response.statusLine,
      'stop reading once the head passes 8 KiB (MAX_HEAD_BYTES) without its blank line, and answer 431: otherwise one client can make the server buffer without end',
    ).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    await expectStillServing(srv, 'a request head that was too large');
  });

  concurrentTest('two Host header lines get 400 Bad Request, and the server goes on serving', async () => {
    const srv = await startServer(server);
    const sent = 'GET /blog HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n';
    const response = await rawRequest(srv, sent, 'two hosts');
    expect(
      response.statusLine,
      `Sent ${show(sent)}. RFC 9112 §3.2: a server must answer 400 to a request with more than one Host line; parseRequest ` +
        'throws HttpError(400) for it, where it joins the repeats of any other header',
    ).toBe('HTTP/1.1 400 Bad Request');
    await expectStillServing(srv, 'a request with two Host lines');
  });

  concurrentTest('a client that connects and leaves without a word gets nothing, and the server goes on serving', async () => {
    const srv = await startServer(server);
    const silent = await srv.connect('silent');
    silent.end();
    const bytes = await silent.readToEnd({ what: 'the client left, so the server closes its side too' });
    expect(bytes.toString(), 'the client sent no byte at all before it left: nobody asked anything, so send nothing (not a 400)').toBe('');
    await expectStillServing(srv, 'a client that sent nothing (recv returned an empty Buffer at once)');
  });

  concurrentTest('a client that leaves in the middle of its request gets 400, and the server goes on serving', async () => {
    const srv = await startServer(server);
    const client = await srv.connect('half');
    client.send('GET /blog HTT');
    client.end(); // no more to come: recv() returns an empty Buffer before the blank line
    const response = await readResponse(srv, client, 'GET /blog HTT (and then the client closed its side)');
    expect(response.statusLine, 'the client stopped sending before the end of the head: that request is incomplete').toBe('HTTP/1.1 400 Bad Request');
    await expectStillServing(srv, 'a client that stopped halfway');
  });

  test.skipIf(!hasCurl)('curl -i /blog gets the status line, the headers and the blog page', async () => {
    const srv = site;
    const output = await new Promise<Buffer>((resolve, reject) =>
      execFile(
        'curl',
        ['--silent', '--show-error', '--include', '--max-time', '5', `http://127.0.0.1:${srv.port}/blog`],
        { encoding: 'buffer' },
        (error, stdout, stderr) => (error ? reject(new Error(`curl failed: ${stderr.toString().trim() || error.message}\n${srv.report()}`)) : resolve(stdout)),
      ),
    );
    const response = parseResponse(output);
    expect(response.statusLine).toBe('HTTP/1.1 200 OK');
    expect(response.body.toString('utf8'), 'curl prints the body after the headers').toBe(blog());
  });
});
