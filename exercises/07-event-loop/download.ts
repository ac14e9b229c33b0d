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

/**
 * GETs `path` from the HTTP server at `address` with an HTTP/1.0 request, over a non-blocking socket
 * of its own, and returns the body of a 200 response (`bodyOf` throws for anything else). An HTTP/1.0
 * server closes the connection when the response is over. The socket is closed however it ends.
 */
export function* fetchPage(address: Address, path: string): Coroutine<Buffer> {
  throw new Error('TODO(07-event-loop): fetchPage() must GET the page over a non-blocking socket on the loop and return its body');
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
  throw new Error('TODO(07-event-loop): downloadOneByOne() must fetch the pages one after another');
}

/** Every page at once, as tasks: all requests in flight together. The pages come back in the order asked. */
export function* downloadAllAtOnce(address: Address, paths: string[]): Coroutine<Buffer[]> {
  throw new Error('TODO(07-event-loop): downloadAllAtOnce() must fetch every page at once, each in a task of its own');
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
