/**
 * 07-event-loop — a downloader: one page after another, then all at once.
 *
 * Complete `fetchPage`, `downloadOneByOne` and `downloadAllAtOnce`, then run:
 *   npm test -- exercises/07-event-loop/download
 *
 *   npx tsx fixtures/harness/slow-http-server.ts --port 5080        a slow server, in one terminal
 *   npx tsx exercises/07-event-loop/download.ts --port 5080         both ways, timed, in another
 */
import { socket, type Address } from '../../fixtures/native/index.ts';
import { isMain, portFromArgs } from '../../fixtures/program.ts';
import { gather, sockConnect, sockRecv, sockSendall } from './coroutines.ts';
import type { Coroutine } from './future.ts';
import { EventLoop } from './loop.ts';

/** GETs `path` from the HTTP server at `address` and returns the body of a 200 response. */
export function* fetchPage(address: Address, path: string): Coroutine<Buffer> {
  // TODO: a socket(), non-blocking; yield* sockConnect(sock, address); yield* sockSendall a request:
  // `GET ${path} HTTP/1.0\r\nHost: ${address[0]}:${address[1]}\r\n\r\n`; then yield* sockRecv(sock, 65536)
  // until it returns an empty Buffer (HTTP/1.0: the server closes when done); return
  // bodyOf(Buffer.concat(chunks), path). Close the socket in a finally.
  void [address, path, socket, sockConnect, sockSendall, sockRecv, bodyOf];
  throw new Error('TODO(07-event-loop): fetchPage() should GET the page over a non-blocking socket and return its body');
}

function bodyOf(response: Buffer, path: string): Buffer {
  const headEnd = response.indexOf('\r\n\r\n');
  const statusLine = response.subarray(0, response.indexOf('\r\n')).toString('latin1');
  if (headEnd === -1 || !/^HTTP\/1\.\d 200 /.test(statusLine)) {
    throw new Error(`GET ${path} failed: ${JSON.stringify(statusLine || response.toString('latin1').slice(0, 80))}`);
  }
  return response.subarray(headEnd + 4);
}

/** Each page after the one before: at most one request in flight. */
export function* downloadOneByOne(address: Address, paths: string[]): Coroutine<Buffer[]> {
  // TODO: for each path, in order: pages.push(yield* fetchPage(address, path)).
  void [address, paths];
  throw new Error('TODO(07-event-loop): downloadOneByOne() should fetch the pages one after another');
}

/** Every page at once, as tasks: all requests in flight together. The pages come back in the order asked. */
export function* downloadAllAtOnce(address: Address, paths: string[]): Coroutine<Buffer[]> {
  // TODO: one line: yield* gather(...) of a fetchPage(address, path) for every path.
  void [address, paths, gather];
  throw new Error('TODO(07-event-loop): downloadAllAtOnce() should fetch every page at once with gather');
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
