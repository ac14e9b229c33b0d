/**
 * 07-event-loop — a downloader: one page after another, then all at once.
 *
 * Builds on coroutines.ts: the course's `7_async.py`, offline. `fetchPage` is a plain HTTP/1.0
 * client written as a coroutine. Called in a loop, the pages come one by one: each waits for the
 * last. Handed to `gather`, every request is sent before any answer comes back, and the whole
 * download takes about as long as the slowest page.
 *
 *   npx tsx fixtures/harness/slow-http-server.ts --port 5080        a slow server, in one terminal
 *   npx tsx solutions/07-event-loop/download.ts --port 5080         both ways, timed, in another
 */
import { socket, type Address } from '../../fixtures/native/index.ts';
import { isMain, portFromArgs } from '../../fixtures/program.ts';
import { gather, sockConnect, sockRecv, sockSendall } from './coroutines.ts';
import type { Coroutine } from './future.ts';
import { EventLoop } from './loop.ts';

/**
 * GETs `path` from the HTTP server at `address` with an HTTP/1.0 request, over a non-blocking socket
 * of its own, and returns the body of a 200 response (`bodyOf` throws for anything else). An HTTP/1.0
 * server closes the connection when the response is over. The socket is closed however it ends.
 */
export function* fetchPage(address: Address, path: string): Coroutine<Buffer> {
  const sock = socket();
  try {
    sock.setBlocking(false);
    yield* sockConnect(sock, address);
    yield* sockSendall(sock, `GET ${path} HTTP/1.0\r\nHost: ${address[0]}:${address[1]}\r\n\r\n`);
    const chunks: Buffer[] = [];
    // HTTP/1.0: the server closes the connection after the response, so read until the end.
    for (let chunk = yield* sockRecv(sock, 65536); chunk.length > 0; chunk = yield* sockRecv(sock, 65536)) chunks.push(chunk);
    return bodyOf(Buffer.concat(chunks), path);
  } finally {
    sock.close();
  }
}

function bodyOf(response: Buffer, path: string): Buffer {
  const headEnd = response.indexOf('\r\n\r\n');
  const statusLine = response.subarray(0, response.indexOf('\r\n')).toString('latin1');
  if (headEnd === -1 || !/^HTTP\/1\.\d 200 /.test(statusLine)) {
    throw new Error(`GET ${path} failed: ${JSON.stringify(statusLine || response.toString('latin1').slice(0, 80))}`);
  }
  return response.subarray(headEnd + 4);
}

/** Each page after the one before: at most one request in flight. The pages come back in the order asked. */
export function* downloadOneByOne(address: Address, paths: string[]): Coroutine<Buffer[]> {
  const pages: Buffer[] = [];
  for (const path of paths) pages.push(yield* fetchPage(address, path));
  return pages;
}

/** Every page at once, as tasks: all requests in flight together. The pages come back in the order asked. */
export function* downloadAllAtOnce(address: Address, paths: string[]): Coroutine<Buffer[]> {
  return yield* gather(...paths.map((path) => fetchPage(address, path)));
}

if (isMain(import.meta.url)) {
  const address: Address = ['127.0.0.1', portFromArgs(5080)];
  const paths = Array.from({ length: 10 }, (_, i) => `/page/${i + 1}`);
  const loop = new EventLoop();
  for (const [name, download] of [['one by one', downloadOneByOne], ['all at once', downloadAllAtOnce]] as const) {
    const started = loop.time();
    const pages = loop.runUntilComplete(download(address, paths));
    console.log(`${name}: ${pages.length} pages in ${(loop.time() - started).toFixed(2)} s`);
  }
}
