import { connect } from 'node:net';
import { beforeAll, describe, expect, test } from 'vitest';
import { expectAnsweredWithoutReset, parseResponse, show, startServer, until, type Client, type RawResponse, type ServerProcess } from '../../fixtures/harness/index.ts';
import { blog, index } from '../00-web-app/views.ts';

const server = new URL('./server.ts', import.meta.url);

/** A request head, CRLF and all. */
function request(method: string, path: string, headers: string[] = [], version = 'HTTP/1.1'): string {
  return [`${method} ${path} ${version}`, 'Host: test', ...headers, '', ''].join('\r\n');
}

/**
 * Reads the next response on `client`, which stays open: the head up to its blank line, then as many
 * body bytes as Content-Length says (none after a HEAD). Keep-alive needs exactly this: a response
 * ends where its Content-Length says, not where the connection closes.
 */
async function nextResponse(srv: ServerProcess, client: Client, what: string, head = false): Promise<RawResponse> {
  const ms = 5000;
  await until(
    () => client.pending.includes('\r\n\r\n') || client.closedByPeer || srv.hasExited,
    ms,
    () => `client ${client.name} waited ${ms} ms for the response to ${what}; it received ${show(client.pending)}.\n${srv.report()}`,
  );
  const end = client.pending.indexOf('\r\n\r\n');
  if (end === -1) {
    throw new Error(
      `client ${client.name} expected the response to ${what}, but the server closed the connection after ` +
        `${client.pending.length ? show(client.pending) : 'sending nothing'}. A connection kept alive stays open ` +
        `after a response, and the server reads the next request on it.\n${srv.report()}`,
    );
  }
  const response = parseResponse(await client.read(end + 4));
  const length = Number(response.headers.get('content-length') ?? 0);
  response.body = head ? Buffer.alloc(0) : await client.read(length, { what: `the ${length}-byte body of the response to ${what}` });
  return response;
}

/** The lines the server logged for requests, by connection number: `#3 GET / HTTP/1.1` → 3. */
function requestLog(srv: ServerProcess): { conn: number; line: string }[] {
  return [...srv.stdout.matchAll(/^#(\d+) ((?:GET|HEAD|POST|DELETE) \S+ HTTP\/1\.\d)$/gm)].map((m) => ({ conn: Number(m[1]), line: m[2]! }));
}

/** The status of every response in `bytes`, in order: `[405, 400]`. */
function statusesIn(bytes: Buffer): number[] {
  return [...bytes.toString('latin1').matchAll(/^HTTP\/1\.[01] (\d{3}) /gm)].map((m) => Number(m[1]));
}


/** Whether a new TCP connection to `port` is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('08-async-web: the web app on your own loop', () => {
  let site: ServerProcess;
  beforeAll(async () => {
    site = await startServer(server);
  });

  test('fetch gets the pages of 00: / and /blog with 200, an unknown path with 404', async () => {
    const home = await site.fetch('/');
    expect(home.status).toBe(200);
    expect(home.body, 'the body is what the view for "/" of 00 returns').toBe(index());
    const page = await site.fetch('/blog');
    expect(page.status).toBe(200);
    expect(page.body).toBe(blog());
    expect((await site.fetch('/nowhere')).status).toBe(404);
  });

  test("fetch sends several requests over one connection (keep-alive), as the server's log shows", async () => {
    const srv = await startServer(server);
    const paths = ['/', '/blog', '/', '/blog?page=2', '/', '/blog'];
    for (const path of paths) {
      const reply = await srv.fetch(path);
      expect(reply.status).toBe(200);
      expect(reply.headers.get('connection'), 'an HTTP/1.1 request keeps its connection unless it asks to close').toBe('keep-alive');
    }
    await until(
      () => requestLog(srv).length >= paths.length,
      5000,
      () => `the server should log each request as "#<connection> GET /path HTTP/1.1"; it printed:\n${srv.report()}`,
    );
    const perConnection = new Map<number, number>();
    for (const { conn } of requestLog(srv)) perConnection.set(conn, (perConnection.get(conn) ?? 0) + 1);
    const most = Math.max(...perConnection.values());
    expect(
      most,
      `fetch keeps connections alive and reuses them, so of ${paths.length} requests one after another several ` +
        `should come over one connection; the server logged at most ${most} per connection. After a response, ` +
        `go back and read the next request on the same socket.\n${srv.report()}`,
    ).toBeGreaterThanOrEqual(2);
  });

  test('Connection: close is honoured: the response says so and the server closes the connection', async () => {
    const client = await site.connect('closer');
    client.send(request('GET', '/blog', ['Connection: close']));
    const response = parseResponse(await client.readToEnd({ what: 'the client asked for Connection: close' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toBe('close');
    expect(response.body.toString('utf8')).toBe(blog());
  });

  test('HTTP/1.0 closes the connection by default', async () => {
    const client = await site.connect('old');
    client.send(request('GET', '/', [], 'HTTP/1.0'));
    const response = parseResponse(await client.readToEnd({ what: 'an HTTP/1.0 request without Connection: keep-alive' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toBe('close');
  });

  test('HTTP/1.0 with Connection: Keep-Alive keeps the connection open', async () => {
    const client = await site.connect('old-keeper');
    // Old clients (ApacheBench among them) write the option capitalised: header options ignore case.
    client.send(request('GET', '/', ['Connection: Keep-Alive'], 'HTTP/1.0') + request('GET', '/blog', [], 'HTTP/1.0'));
    const first = await nextResponse(site, client, 'GET / over HTTP/1.0 with Connection: Keep-Alive');
    expect(first.status).toBe(200);
    expect(
      first.headers.get('connection'),
      'an HTTP/1.0 request that says "Connection: Keep-Alive" keeps its connection (options compare in any case)',
    ).toBe('keep-alive');
    const second = await nextResponse(site, client, 'GET /blog, the next request on that connection (HTTP/1.0, no Connection header)');
    expect(second.status).toBe(200);
    expect(second.headers.get('connection'), 'an HTTP/1.0 request without Connection: keep-alive closes its connection').toBe('close');
    expect(show(await client.readToEnd({ what: 'the last request was HTTP/1.0 without keep-alive' })), 'nothing after the last response').toBe('""');
  });

  test('pipelined requests, sent at once, are answered in order on one connection', async () => {
    const client = await site.connect('pipeliner');
    client.send(request('GET', '/blog') + request('GET', '/nowhere') + request('GET', '/', ['Connection: close']));
    const statuses = [];
    for (const what of ['GET /blog (1st of 3 sent at once)', 'GET /nowhere (2nd)', 'GET / (3rd)']) {
      statuses.push((await nextResponse(site, client, what)).status);
    }
    expect(statuses, 'answer the requests in the order they came; keep what follows a head for the next one').toEqual([200, 404, 200]);
    await client.readToEnd({ what: 'the last request said Connection: close' });
  });

  test('requests with lone-LF line ends, and empty lines between requests, are answered on one connection', async () => {
    const client = await site.connect('typist');
    // As typed into nc (lone LFs), then a CRLF after a request, which RFC 9112 §2.2 asks a server to ignore.
    client.send('GET /blog HTTP/1.1\nHost: localhost\n\n\r\nGET /nowhere HTTP/1.1\r\nHost: localhost\n\n');
    const statuses = [];
    for (const what of ['GET /blog, its lines ended by lone LFs', 'GET /nowhere, after an empty line (CRLF) between the two requests']) {
      statuses.push((await nextResponse(site, client, what)).status);
    }
    expect(
      statuses,
      'RFC 9112 §2.2: a server may take a lone LF as a line end (as people type requests into nc), and should ignore ' +
        'empty lines before a request line: use 00\'s END_OF_HEAD and LEADING_EMPTY_LINES',
    ).toEqual([200, 404]);
  });

  test('a request body (Content-Length) is read and dropped, not taken for the next request', async () => {
    const client = await site.connect('poster');
    const body = request('GET', '/nowhere'); // a body that looks like a request
    client.send(request('POST', '/', [`Content-Length: ${body.length}`]) + body + request('GET', '/blog'));
    const first = await nextResponse(site, client, 'POST / with a body');
    expect(first.status, 'POST / gets 405: the view answers GET and HEAD').toBe(405);
    const second = await nextResponse(site, client, 'GET /blog, sent after the POST and its body');
    expect(second.status, `the ${body.length} body bytes of the POST must be skipped; the next request is GET /blog`).toBe(200);
  });

  test('a chunked request body is refused with 501 and the connection closes: its chunks are never read as requests', async () => {
    const client = await site.connect('chunker');
    const smuggled = request('GET', '/nowhere'); // a chunk that looks like a request
    const chunked = `${Buffer.byteLength(smuggled).toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`;
    client.send(request('POST', '/', ['Transfer-Encoding: chunked']) + chunked + request('GET', '/blog', ['Connection: close']));
    const reply = await client.readToEnd({ what: 'a chunked body this server does not decode: 501, then close the connection' });
    const statuses = statusesIn(reply);
    expect(
      [[501], [405, 200]],
      `Sent POST / with a chunked body (Transfer-Encoding: chunked, one chunk holding "GET /nowhere…"), then GET /blog, on one ` +
        `connection; the server answered ${statuses.length ? statuses.join(', ') : 'nothing'}. A chunked body has no Content-Length: ` +
        'taken for a body of 0 bytes, its chunk-size line and its chunks are read as the next requests, a request desync, the root ' +
        'of request smuggling. This server decodes no chunked body: bodyLength throws HttpError 501 (RFC 9112 §6.1, RFC 9110 ' +
        '§15.6.2), and after an HttpError the connection closes, the rest unread. (A server that decodes it, RFC 9112 §7.1, ' +
        'answers 405, then 200 for GET /blog.)',
    ).toContainEqual(statuses);
  });

  test('a request whose Transfer-Encoding leaves the end of its body in doubt gets 400, and the connection closes', async () => {
    const smuggled = request('GET', '/nowhere');
    const cases = [
      {
        what: 'Content-Length beside Transfer-Encoding: chunked',
        // Framed by Content-Length, "GET /nowhere" is body; framed as chunked, the body ends at "0" and it is a request.
        sent: request('POST', '/', [`Content-Length: ${Buffer.byteLength(`0\r\n\r\n${smuggled}`)}`, 'Transfer-Encoding: chunked']) + `0\r\n\r\n${smuggled}`,
      },
      { what: 'Transfer-Encoding: gzip, whose last coding is not chunked', sent: request('POST', '/', ['Transfer-Encoding: gzip']) + 'x\x8b\x08' },
    ];
    for (const { what, sent } of cases) {
      const client = await site.connect('doubtful');
      client.send(sent + request('GET', '/blog', ['Connection: close']));
      const statuses = statusesIn(await client.readToEnd({ what: `a request with ${what}: 400, then close the connection` }));
      expect(
        statuses,
        `Sent POST / with ${what}, then GET /blog, on one connection; the server answered ${statuses.length ? statuses.join(', ') : 'nothing'}. ` +
          'RFC 9112 §6.3: with both headers, or a last coding other than chunked, nobody can tell where the body ends, and two ' +
          'servers that guess differently see different requests (request smuggling): answer 400 and close the connection ' +
          '(bodyLength throws HttpError 400), never let Content-Length frame it',
      ).toEqual([400]);
    }
  });

  test('HEAD gets the headers of GET and no body, and the connection goes on', async () => {
    const client = await site.connect('header');
    client.send(request('HEAD', '/') + request('GET', '/blog'));
    const head = await nextResponse(site, client, 'HEAD /', true);
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length')), 'HEAD says the Content-Length a GET would get').toBe(Buffer.byteLength(index()));
    const next = await nextResponse(site, client, 'GET /blog, sent after HEAD /');
    expect(next.statusLine, 'after a HEAD response comes the next response at once: no body in between').toBe('HTTP/1.1 200 OK');
    expect(next.body.toString('utf8')).toBe(blog());
  });

  test('garbage gets 400 and the connection closes; the server goes on serving', async () => {
    const client = await site.connect('garbage');
    client.send('HELLO THERE\r\n\r\n');
    const response = parseResponse(await client.readToEnd({ what: 'after a 400 the connection closes' }));
    expect(response.status).toBe(400);
    expect((await site.fetch('/')).status, 'the server must go on serving after garbage').toBe(200);
  });

  test('a client that closes its side between requests is closed without a word', async () => {
    const client = await site.connect('leaver');
    client.send(request('GET', '/'));
    expect((await nextResponse(site, client, 'GET /')).status).toBe(200);
    client.end(); // FIN: it sends nothing more, and still reads
    expect(
      show(await client.readToEnd({ what: 'the client closed its side after a response, between requests' })),
      'a client that closes between requests asked for nothing more: close the connection without an answer (no 400)',
    ).toBe('""');
  });

  test('a client that closes its side in the middle of a request, head or body, gets 400', async () => {
    const cases = [
      { name: 'half-head', sent: 'GET / HTTP/1.1\r\nHost: te', where: 'in the middle of its head' },
      { name: 'half-body', sent: request('POST', '/', ['Content-Length: 10']) + '12345', where: 'after 5 of the 10 bytes of its body' },
    ];
    for (const { name, sent, where } of cases) {
      const client = await site.connect(name);
      client.send(sent);
      client.end(); // FIN: it sends nothing more, and still reads
      const rest = await client.readToEnd({ what: `the client closed its side ${where}` });
      expect(rest.includes('\r\n\r\n'), `client ${name} closed its side ${where} and got ${show(rest)}; expected a 400 response`).toBe(true);
      expect(parseResponse(rest).status, `a request cut short ${where} is a bad request: 400`).toBe(400);
    }
  });

  test('a request head over 8 KiB gets 431', async () => {
    const client = await site.connect('long');
    client.send(`GET / HTTP/1.1\r\nHost: test\r\nX-Long: ${'x'.repeat(10_000)}`);
    const response = parseResponse(await client.readToEnd({ what: 'a head that never ends must not be read for ever' }));
    expect(response.status).toBe(431);
  });

  test('an answer sent while the client is still sending reaches it whole, and the connection ends with a FIN, never a reset', async () => {
    const srv = await startServer(server);
    // 16 MiB is more than the kernel's buffers hold between the two: the client cannot be done sending
    // before the server has read it all, or has answered it with a reset.
    const upload = 16 * 1024 * 1024;
    const cases = [
      {
        what: 'a 9 KiB head, and 16 MiB more of it once the 431 had come',
        first: `GET / HTTP/1.1\r\nHost: test\r\nX-Big: ${'a'.repeat(9 * 1024)}`,
        more: 'a'.repeat(upload),
        status: 431,
      },
      {
        what: 'the head of a chunked POST /, and 16 MiB of chunks once the 501 had come',
        first: request('POST', '/', ['Transfer-Encoding: chunked']),
        more: `${upload.toString(16)}\r\n${'b'.repeat(upload)}\r\n0\r\n\r\n`,
        status: 501,
      },
      { what: 'a 64 KiB head in one go', first: `GET / HTTP/1.1\r\nHost: test\r\nX-Big: ${'a'.repeat(64 * 1024)}`, more: '', status: 431 },
    ];
    for (const upload of cases) {
      await expectAnsweredWithoutReset(srv.port, upload, 'The given session does it (lingeringClose, on the loop) once handleConnection returns: handleConnection must not close the socket itself', () => srv.report());
    }
    expect((await srv.fetch('/')).status, 'the server must go on serving after clients that were still sending').toBe(200);
  });

  test('a client that sends half a head and stalls holds up nobody, and is dropped after the head timeout', async () => {
    const srv = await startServer(server, { args: ['--head-timeout', '1'] });
    const staller = await srv.connect('staller');
    staller.send('GET / HTTP/1.1\r\nHost: te');
    await until(
      () => /^#1 connection from/m.test(srv.stdout) || srv.hasExited,
      5000,
      () => `the server should log "#1 connection from HOST:PORT" when it accepts a client.\n${srv.report()}`,
    );
    for (const path of ['/', '/blog']) {
      const reply = await srv.fetch(path, { timeoutMs: 5000 }).catch((error: Error) => {
        throw new Error(
          `While client staller sat in the middle of its head, ${error.message}\nThe loop must never wait in one ` +
            `client's recv(): read with yield* sockRecv, so the other tasks run while this one waits.`,
        );
      });
      expect(reply.status, `GET ${path} while another client stalls in the middle of its head`).toBe(200);
    }
    const rest = await staller.readToEnd({
      what: 'a client that stalls in the middle of its head is dropped after --head-timeout (1 s here)',
      timeoutMs: 8000,
    });
    expect(show(rest), 'a dropped client gets no response: it never finished asking').toBe('""');
  });

  test('SIGTERM: the response in flight completes, idle connections close, new ones are refused, exit code 0', async () => {
    const srv = await startServer(server);
    const idle = await srv.connect('idle');
    idle.send(request('GET', '/'));
    expect((await nextResponse(srv, idle, 'GET / (before the shutdown)')).status).toBe(200);

    const busy = await srv.connect('busy');
    busy.send(request('GET', '/blog', ['Content-Length: 10']) + '12345'); // half the body: in flight
    await until(
      () => requestLog(srv).some((entry) => entry.line === 'GET /blog HTTP/1.1') || srv.hasExited,
      5000,
      () => `the server should log "#<connection> GET /blog HTTP/1.1" once it has read the request head.\n${srv.report()}`,
    );
    const exited = srv.signal('SIGTERM', 10_000);
    await until(
      () => /shutting down/.test(srv.stdout),
      5000,
      () => `on SIGTERM the server should print "shutting down…" and stop accepting.\n${srv.report()}`,
    );
    expect(await refused(srv.port), 'once shutting down, the server closes its listening socket: new connections are refused').toBe(true);
    expect(
      show(await idle.readToEnd({ what: 'a connection idle between requests is closed at shutdown' })),
      'an idle connection is closed without a word',
    ).toBe('""');

    busy.send('67890');
    const reply = await busy.readToEnd({ what: 'the request in flight gets its response, then the connection closes' });
    expect(
      reply.includes('\r\n\r\n'),
      `client busy had sent a head and half its body when the shutdown began, and got ${show(reply)}: a connection in the ` +
        `middle of a request is not idle; the shutdown lets it finish and get its response (with Connection: close)`,
    ).toBe(true);
    const response = parseResponse(reply);
    expect(response.status).toBe(200);
    expect(response.headers.get('connection'), 'a server shutting down answers with Connection: close').toBe('close');
    expect(response.body.toString('utf8')).toBe(blog());
    expect(await exited, `once every response is sent, the server exits with status 0.\n${srv.report()}`).toEqual({ code: 0, signal: null });
  });
});
